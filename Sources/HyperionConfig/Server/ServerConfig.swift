import HyperionCrypto

/// `server.toml`: everything `hyperion-server run` needs, parsed and checked.
///
/// Only `[key]` and `[identity]` are required; every other table and key has the default
/// documented on its property.
public struct ServerConfig: Sendable, Hashable {
    /// The file this came from, as given to `load`/`parse`; messages start with it.
    public var path: String
    /// `listen`: where the tunnel accepts TCP. Default `0.0.0.0:8443`.
    public var listen: SocketAddress
    /// `[key]`: the shared key's source.
    public var key: KeySource
    public var identity: Identity
    public var egress: Egress
    public var knock: Knock
    public var firewall: Firewall
    public var limits: Limits
    public var server: Server

    /// `[identity]`: who the server is and whom it lets in.
    public struct Identity: Sendable, Hashable {
        /// `static_key_file`, resolved against the config file's directory.
        public var staticKeyFile: String
        /// `admin_pubkeys`: the only static keys a client may handshake with. Never empty,
        /// no duplicates.
        public var adminPublicKeys: [X25519PublicKey]
    }

    /// `[egress]`: which of its own loopback ports the server may dial for a stream.
    public struct Egress: Sendable, Hashable {
        /// `allow`: distinct ports 1...65535. Default empty: every stream is denied.
        public var allowedPorts: [UInt16]

        public func allows(port: UInt16) -> Bool { allowedPorts.contains(port) }
    }

    /// `[knock]`: single packet authorization (PROTOCOL.md §7).
    public struct Knock: Sendable, Hashable {
        /// `enabled`, default false.
        public var isEnabled: Bool
        /// `window_secs`, 1...300, default 30: the largest clock difference accepted, and
        /// how long a nonce is remembered.
        public var window: Duration
        /// `knock_port`, default the listen port: the UDP port the knock is sent to.
        public var port: UInt16
        /// `cooldown_secs`, 0...3600, default 5: at most one firewall addition per source
        /// address in this time.
        public var cooldown: Duration
    }

    /// `[firewall]`: the nftables names the knock sniffer adds addresses to.
    public struct Firewall: Sendable, Hashable {
        /// `table`, default `hyperion` (an `inet` table).
        public var table: String
        /// `set`, default `knock_allow`: the `ipv4_addr` set.
        public var ipv4Set: String
        /// `set6`, default `knock_allow6`: the `ipv6_addr` set.
        public var ipv6Set: String
        /// `ttl_secs`, 1...86400, default 60: how long a knocked address stays in the set.
        public var elementTimeout: Duration
    }

    /// `[limits]`: bounds on what peers can make the server spend.
    public struct Limits: Sendable, Hashable {
        /// `handshake_timeout_ms`, 100...60000, default 3000: from the TCP accept to the
        /// client's first transport frame, which proves it holds the handshake's keys.
        public var handshakeTimeout: Duration
        /// `max_connections`, 1...65536, default 256: concurrent authenticated tunnel
        /// connections (those whose first transport frame decrypted). Connections still in
        /// the handshake count toward `maxUnauthenticated` instead.
        public var maxConnections: Int
        /// `max_streams_per_connection`, 1...16384, default 512. Each idle stream costs the
        /// server about 8 KiB and one file descriptor (its dial to 127.0.0.1).
        public var maxStreamsPerConnection: Int
        /// `max_receive_window_kib` in bytes; the KiB value is 256...1048576, default 16384.
        public var maxReceiveWindowBytes: Int
        /// `dial_timeout_ms`, 100...60000, default 3000: dialing a loopback service.
        public var dialTimeout: Duration
        /// `drain_timeout_ms`, 0...600000, default 5000: how long shutdown waits for streams.
        public var drainTimeout: Duration
        /// `max_unauthenticated`, 1...65536, default 1024: connections not yet authenticated,
        /// from all sources together.
        public var maxUnauthenticated: Int
        /// `max_unauthenticated_per_source`, 1...65536 and at most `max_unauthenticated`,
        /// default 8: the same, per IPv4 address or IPv6 /64.
        public var maxUnauthenticatedPerSource: Int
        /// `handshakes_per_sec`, 1...10000, default 10: new connections per source (IPv4
        /// address or IPv6 /64) per second, sustained.
        public var handshakesPerSecond: Int
        /// `handshake_burst`, 1...10000, default 20: new connections a source may open at
        /// once before `handshakes_per_sec` applies.
        public var handshakeBurst: Int
    }

    /// `[server]`: how the process itself runs.
    public struct Server: Sendable, Hashable {
        /// `user`, default none: the account the server switches to once it holds its
        /// sockets, keeping only the capabilities the knock gate needs. Without it a server
        /// started as root stays root, with its capabilities cut to those. A name, not a uid.
        public var user: String?
    }

    /// Things that are accepted but deserve a warning when the server starts.
    public var warnings: [String] {
        key.isInlineValue
            ? ["\(path): [key] holds the PSK inline (source = \"value\"); anyone who can read this file has it. Prefer source = \"env\" or \"file\"."]
            : []
    }

    // MARK: Loading

    /// Reads and parses the server config at `path`.
    public static func load(path: String) throws -> ServerConfig {
        try ServerConfigParser.parse(ConfigDocument.load(path: path))
    }

    /// Parses server config `text`; `path` names it in messages and anchors relative paths.
    public static func parse(text: String, path: String) throws -> ServerConfig {
        try ServerConfigParser.parse(ConfigDocument.parse(text, file: path))
    }
}
