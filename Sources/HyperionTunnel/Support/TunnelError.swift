/// The one error type of `HyperionTunnel`: what went wrong with a tunnel connection or
/// stream, phrased for the person running the program.
public struct TunnelError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The server closed the connection without answering message 1: our admin key is
        /// not in its allowlist, or we hold the wrong server public key.
        public static let handshakeRefused = Kind("handshakeRefused")
        /// The server's answer did not decrypt: the PSKs differ.
        public static let handshakeFailed = Kind("handshakeFailed")
        /// The handshake did not finish in time.
        public static let handshakeTimedOut = Kind("handshakeTimedOut")
        /// The TCP connection could not be made (name resolution, routing, ...).
        public static let connectFailed = Kind("connectFailed")
        /// The server host answered the TCP connect with a reset: nothing listens there.
        public static let connectRefused = Kind("connectRefused")
        /// The TCP connect got no answer at all: a firewall dropped it, or the host is down.
        public static let connectTimedOut = Kind("connectTimedOut")
        /// A knock was sent but the port stayed closed for every connect attempt after it.
        public static let portClosedAfterKnock = Kind("portClosedAfterKnock")
        /// A transport frame was malformed or forged; the connection ended.
        public static let transportFailed = Kind("transportFailed")
        /// No live tunnel was available within the wait limit.
        public static let noLiveTunnel = Kind("noLiveTunnel")
        /// The server did not connect a stream: it did not answer in time, ended the stream
        /// first, or was at its stream limit.
        public static let streamRefused = Kind("streamRefused")
        /// The server answered a stream with "denied": the port is not in its allow list.
        public static let streamDenied = Kind("streamDenied")
        /// The server answered a stream with "unreachable": its dial of the port failed.
        public static let streamUnreachable = Kind("streamUnreachable")
        /// The tunnel connection ended before the server answered a stream, and no byte of
        /// the application had left on it: the stream may be opened again elsewhere.
        public static let streamLostUnanswered = Kind("streamLostUnanswered")
        /// A ping was not answered in time.
        public static let pingTimedOut = Kind("pingTimedOut")
        /// A local listener could not be bound.
        public static let bindFailed = Kind("bindFailed")
        /// The config cannot be applied as it is (a server without a resolved key, say).
        public static let configuration = Kind("configuration")
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
