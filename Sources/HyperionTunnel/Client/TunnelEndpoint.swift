import HyperionCrypto
import HyperionWire
import NIOCore

/// One server as the client sees it, with its secrets already resolved.
public struct TunnelEndpoint: Sendable {
    public var name: String
    public var host: String
    public var port: Int
    public var serverKey: X25519PublicKey
    public var presharedKey: PresharedKey
    public var poolSize: Int = 2
    /// The UDP port knocks go to; nil means the tunnel port.
    public var knockPort: Int?

    public init(name: String, host: String, port: Int, serverKey: X25519PublicKey, presharedKey: PresharedKey) {
        self.name = name
        self.host = host
        self.port = port
        self.serverKey = serverKey
        self.presharedKey = presharedKey
    }

    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Sends the SPA knock before each new tunnel connection. The SPA layer provides it; it
/// is a hook here so the connector stays free of packet details.
public protocol TunnelKnocker: Sendable {
    /// Knocks `endpoint` at `address`, the resolved address the connect will dial (the
    /// knock goes to its IP, at the endpoint's knock port); the returned future completes
    /// once the datagram is sent.
    func knock(_ endpoint: TunnelEndpoint, at address: SocketAddress, on eventLoop: EventLoop) -> EventLoopFuture<Void>
}

/// Client-wide settings shared by every server's pool.
public struct TunnelClientSettings: Sendable {
    public var adminKey: X25519SecretKey
    public var connectTimeout: TimeAmount = .seconds(5)
    public var handshakeTimeout: TimeAmount = .seconds(3)
    /// How long a local connection waits for a live tunnel before it is closed.
    public var streamWait: TimeAmount = .seconds(10)
    /// How long to wait for the server's answer to a stream's port request.
    public var streamAnswerTimeout: TimeAmount = .seconds(10)
    public var pingInterval: TimeAmount = .seconds(5)
    public var pingTimeout: TimeAmount = .seconds(15)
    /// Early data leaves only on a connection heard from within this long (or a few round
    /// trips; see `TunnelLiveness`).
    public var earlyDataFreshness: TimeAmount = .milliseconds(250)
    public var maximumReceiveWindow: UInt32 = 16 * 1024 * 1024
    /// Streams this end opens on one connection at most. The server enforces its own
    /// `max_streams_per_connection` (default 512) and resets a stream beyond it; this only
    /// bounds what the client itself would hold, at the most the server may allow.
    public var maximumStreamsPerConnection = 16_384
    /// SO_MARK for tunnel sockets (Linux), so policy routing can keep them off the TUN.
    public var mark: UInt32?
    public var knocker: (any TunnelKnocker)?
    /// After a knock, how many times and how far apart to try the TCP connect while the
    /// firewall rule appears.
    public var connectAttemptsAfterKnock: Int = 6
    public var connectRetryDelayAfterKnock: TimeAmount = .milliseconds(170)
    /// How often to rekey with a server that offers it (PROTOCOL.md §10.3); nil never
    /// opts in, as a v1 client. Changed only by tests.
    var rekeying: RekeyPolicy? = .standard

    public init(adminKey: X25519SecretKey) {
        self.adminKey = adminKey
    }
}
