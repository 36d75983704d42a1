import HyperionCrypto

/// `client.toml`: the admin's identity, the fleet of servers and the local forwards.
public struct ClientConfig: Sendable, Hashable {
    /// The file this came from, as given to `load`/`parse`; messages start with it.
    public var path: String
    /// `admin_static_key_file`, resolved against the config file's directory.
    public var adminStaticKeyFile: String
    /// `[key]`: the fleet's shared key. Nil only when every server overrides it.
    public var key: KeySource?
    /// `[knock] enabled`, default false: knock each server before dialing it.
    public var knockEnabled: Bool
    /// `mark`: the `SO_MARK` for tunnel sockets (1...2^32-1), so policy routing can keep
    /// them off a TUN device. Nil: sockets are not marked.
    public var mark: UInt32?
    public var limits: Limits
    /// `[[server]]`, in file order; at least one, names unique.
    public var servers: [Server]
    /// `[[forward]]`, in file order, plus any added with `addingAdHocForwards`.
    public var forwards: [Forward]
    /// `[tun]`, with its defaults filled in when the file has none.
    public var tun: TunSection
    /// Whether the file has a `[tun]` table: doctor then checks TUN mode's prerequisites.
    public var hasTunSection: Bool
    /// `[socks] listen`, or `run -D`: where `run` accepts SOCKS5 clients. Nil: no listener.
    public var socksListen: SocketAddress? = nil

    /// One `[[server]]`.
    public struct Server: Sendable, Hashable {
        /// `name`: `[A-Za-z0-9][A-Za-z0-9._-]{0,62}`, unique in the file.
        public var name: String
        /// `addr`: where to dial.
        public var address: HostAndPort
        /// `server_pubkey`: the server's static identity.
        public var publicKey: X25519PublicKey
        /// `key_env` or `key_value` (never both): this server's own PSK. Nil: the fleet `[key]`.
        public var keyOverride: KeySource?
        /// `pool_size`, 1...16, default 2: tunnel connections kept open to this server.
        public var poolSize: Int
        /// `knock_port`, default the port of `addr`.
        public var knockPort: UInt16
        /// `fake_ip`: an IPv4 address in the TUN's subnet where TUN mode also serves this
        /// server (managed mode assigns it). Nil: none.
        public var fakeAddress: IPAddress?
        /// `fake_ip6`: the same in the TUN's IPv6 /64.
        public var fakeAddress6: IPAddress?
    }

    /// `[limits]`: the client's timeouts and window.
    public struct Limits: Sendable, Hashable {
        /// `connect_timeout_ms`, 100...120000, default 5000: TCP connect to a server.
        public var connectTimeout: Duration
        /// `handshake_timeout_ms`, 100...60000, default 3000.
        public var handshakeTimeout: Duration
        /// `stream_wait_ms`, 0...600000, default 10000: how long a local connection waits
        /// for a live tunnel before it is closed.
        public var streamWait: Duration
        /// `max_receive_window_kib` in bytes; the KiB value is 256...1048576, default 16384.
        public var maxReceiveWindowBytes: Int
        /// `ping_interval_secs`, 1...3600, default 5.
        public var pingInterval: Duration
        /// `ping_timeout_secs`, 1...3600 and at least the interval, default 15: a tunnel
        /// whose pings go unanswered this long is replaced.
        public var pingTimeout: Duration
        /// `drain_timeout_ms`, 0...600000, default 5000: on SIGINT or SIGTERM, how long open
        /// local connections may go on once the forwards stop accepting.
        public var drainTimeout: Duration
    }

    /// The server called `name`, if any.
    public func server(named name: String) -> Server? {
        servers.first { $0.name == name }
    }

    /// The key source each server uses: its override, else the fleet key.
    public func keySource(for server: Server) -> KeySource? {
        server.keyOverride ?? key
    }

    /// Things that are accepted but deserve a warning when the client starts.
    public var warnings: [String] {
        var warnings: [String] = []
        if key?.isInlineValue == true {
            warnings.append("\(path): [key] holds the PSK inline (source = \"value\"); anyone who can read this file has it. Prefer source = \"env\" or \"file\".")
        }
        for server in servers where server.keyOverride?.isInlineValue == true {
            warnings.append("\(path): [[server]] \"\(server.name)\" holds its PSK inline (key_value); anyone who can read this file has it. Prefer key_env.")
        }
        return warnings
    }

    // MARK: Loading

    /// Reads and parses the client config at `path`. `allowingNoServers`: a config with no
    /// `[[server]]` yet (just made by `init`) is fine for what only lists or edits servers.
    public static func load(path: String, allowingNoServers: Bool = false) throws -> ClientConfig {
        try ClientConfigParser.parse(ConfigDocument.load(path: path), allowingNoServers: allowingNoServers)
    }

    /// Parses client config `text`; `path` names it in messages and anchors relative paths.
    public static func parse(text: String, path: String, allowingNoServers: Bool = false) throws -> ClientConfig {
        try ClientConfigParser.parse(ConfigDocument.parse(text, file: path), allowingNoServers: allowingNoServers)
    }
}
