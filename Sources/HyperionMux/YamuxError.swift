/// The one error type of `HyperionMux`.
///
/// `kind` is for code that needs to react (a reset stream is routine, a protocol error ends
/// the connection); `message` is for people and says what happened on which stream.
public struct YamuxError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The peer broke the yamux protocol; the session sends go away(1) and ends.
        public static let protocolError = Kind("protocolError")
        /// The peer reset (RST) the stream.
        public static let streamReset = Kind("streamReset")
        /// The peer sent more data than the stream's receive window allowed; we reset it.
        public static let windowExceeded = Kind("windowExceeded")
        /// The peer refused a stream we opened (RST before ACK) or went away before our SYN left.
        public static let streamRefused = Kind("streamRefused")
        /// No new stream can be opened: the session is going away or closed.
        public static let sessionGoingAway = Kind("sessionGoingAway")
        /// The connection under the session closed while the stream was open.
        public static let connectionClosed = Kind("connectionClosed")
        /// Something other than a `ByteBuffer` was written to a stream channel.
        public static let unsupportedWrite = Kind("unsupportedWrite")
        /// A local limit (open streams, outstanding pings, stream ids) is reached.
        public static let limitReached = Kind("limitReached")
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
