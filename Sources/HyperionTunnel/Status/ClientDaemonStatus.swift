/// What `hyperion-client status` shows, and `status --json` prints: the daemon's state
/// and a row per configured server.
public struct ClientDaemonStatus: Codable, Sendable, Hashable {
    public var running: Bool
    public var pid: Int32?
    /// The TUN device the daemon brought up.
    public var device: String?
    /// Where the daemon answers DNS for `NAME.hyperion`, `address:53`.
    public var dns: String?
    public var servers: [Server]

    public struct Server: Codable, Sendable, Hashable {
        public var name: String
        public var fakeIP: String?
        public var fakeIP6: String?
        public var address: String
        /// Nil while the daemon is down.
        public var pool: PoolStatus?

        public init(name: String, fakeIP: String?, fakeIP6: String?, address: String, pool: PoolStatus?) {
            self.name = name
            self.fakeIP = fakeIP
            self.fakeIP6 = fakeIP6
            self.address = address
            self.pool = pool
        }
    }

    public init(running: Bool, pid: Int32? = nil, device: String? = nil, dns: String? = nil, servers: [Server]) {
        self.running = running
        self.pid = pid
        self.device = device
        self.dns = dns
        self.servers = servers
    }
}
