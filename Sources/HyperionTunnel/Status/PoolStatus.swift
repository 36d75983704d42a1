/// One server's pool as `status` shows it: a snapshot, taken from any thread.
public struct PoolStatus: Codable, Sendable, Hashable {
    public enum State: String, Codable, Sendable {
        /// At least one connection is up and not suspect.
        case connected
        /// Connections are being made and none has failed yet, or every live one is suspect.
        case connecting
        /// No connection is up and the last attempt failed (`lastError` says how).
        case failing
        /// Not started: an on-demand pool nobody has used yet, or one closed after a quiet spell.
        case idle
        case stopped
    }

    public var name: String
    /// The server's address as configured, `host:port`.
    public var address: String
    public var state: State
    public var lastError: String?
    public var connectionsUp: Int
    public var connectionsTotal: Int
    public var openStreams: Int
    /// Yamux bytes received and sent over all of the pool's connections, the closed ones included.
    public var bytesIn: UInt64
    public var bytesOut: UInt64
    /// Seconds since the newest live connection's handshake; nil with none up.
    public var lastHandshakeAgeSeconds: Double?
    /// The smoothed ping round trip of the newest live connection, in milliseconds.
    public var pingMilliseconds: Double?

    public init(
        name: String, address: String, state: State, lastError: String? = nil, connectionsUp: Int = 0, connectionsTotal: Int = 0,
        openStreams: Int = 0, bytesIn: UInt64 = 0, bytesOut: UInt64 = 0, lastHandshakeAgeSeconds: Double? = nil,
        pingMilliseconds: Double? = nil
    ) {
        self.name = name
        self.address = address
        self.state = state
        self.lastError = lastError
        self.connectionsUp = connectionsUp
        self.connectionsTotal = connectionsTotal
        self.openStreams = openStreams
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.lastHandshakeAgeSeconds = lastHandshakeAgeSeconds
        self.pingMilliseconds = pingMilliseconds
    }
}
