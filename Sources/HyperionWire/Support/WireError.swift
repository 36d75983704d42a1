/// The one error type of `HyperionWire`: a malformed or out-of-bounds wire value.
///
/// Every length read from the wire is checked against a hard bound before anything is
/// allocated; when a check fails, the connection that sent it must end.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A handshake message length outside 1...4096.
        public static let invalidHandshakeLength = Kind("invalidHandshakeLength")
        /// A transport frame length outside 16...16400.
        public static let invalidFrameLength = Kind("invalidFrameLength")
        /// A plaintext larger than one transport frame can carry.
        public static let plaintextTooLong = Kind("plaintextTooLong")
        /// A transport frame whose tag did not verify.
        public static let frameAuthenticationFailed = Kind("frameAuthenticationFailed")
        /// A yamux header with a version other than 0.
        public static let invalidYamuxVersion = Kind("invalidYamuxVersion")
        /// A yamux header with a frame type above 3.
        public static let invalidYamuxType = Kind("invalidYamuxType")
        /// A yamux header with flag bits the spec does not define.
        public static let invalidYamuxFlags = Kind("invalidYamuxFlags")
        /// A yamux data frame longer than the receiver allows.
        public static let yamuxDataTooLong = Kind("yamuxDataTooLong")
        /// A stream connect answer other than 0, 1 or 2.
        public static let invalidConnectResponse = Kind("invalidConnectResponse")
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
