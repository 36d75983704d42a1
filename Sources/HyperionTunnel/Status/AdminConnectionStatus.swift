/// One admin's tunnel connection as `hyperion-server status` shows it.
public struct AdminConnectionStatus: Codable, Sendable, Hashable {
    /// The admin's public key, base64.
    public var admin: String
    /// The peer's address, `ip:port`.
    public var address: String
    /// Seconds since its handshake.
    public var connectedSeconds: Double
    public var openStreams: Int
    public var bytesIn: UInt64
    public var bytesOut: UInt64

    public init(admin: String, address: String, connectedSeconds: Double, openStreams: Int, bytesIn: UInt64, bytesOut: UInt64) {
        self.admin = admin
        self.address = address
        self.connectedSeconds = connectedSeconds
        self.openStreams = openStreams
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
    }
}
