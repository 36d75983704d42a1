/// The one error type of `HyperionSPA`. Every message says what is wrong and what to do.
public struct SPAError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A table or set name that is not an nft identifier.
        public static let invalidIdentifier = Kind("invalidIdentifier")
        /// Settings that cannot work together, such as a cooldown longer than the timeout.
        public static let invalidSettings = Kind("invalidSettings")
        /// Capabilities, nft, the table or a set is missing.
        public static let notReady = Kind("notReady")
        /// An nft command failed; the message carries its stderr.
        public static let firewallCommandFailed = Kind("firewallCommandFailed")
        /// A socket, eventfd or thread could not be set up.
        public static let systemCallFailed = Kind("systemCallFailed")
        /// SPA needs Linux (AF_PACKET and nftables).
        public static let unsupportedPlatform = Kind("unsupportedPlatform")
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
