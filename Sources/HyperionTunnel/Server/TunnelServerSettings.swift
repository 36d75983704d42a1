import HyperionCrypto
import HyperionWire
import NIOCore

/// Everything the tunnel server needs, already validated and resolved (keys loaded, PSK
/// derived). The executable maps the config file onto this.
public struct TunnelServerSettings: Sendable {
    public var listenHost: String
    public var listenPort: Int
    public var serverKey: X25519SecretKey
    public var presharedKey: PresharedKey
    public var adminKeys: [X25519PublicKey]
    public var egress: EgressPolicy
    public var dialTimeout: TimeAmount = .seconds(3)
    public var drainTimeout: TimeAmount = .seconds(5)
    /// Which connections the server takes; `maximumConnections` and `handshakeTimeout`
    /// are two of these.
    public var admission = AdmissionLimits()
    public var maximumStreamsPerConnection: Int = 512
    public var maximumReceiveWindow: UInt32 = 16 * 1024 * 1024
    public var pingInterval: TimeAmount = .seconds(5)
    public var pingTimeout: TimeAmount = .seconds(15)
    /// From accept to the client's first transport frame (`limits.handshake_timeout_ms`).
    public var handshakeTimeout: TimeAmount {
        get { admission.handshakeTimeout }
        set { admission.handshakeTimeout = newValue }
    }
    /// Authenticated (proven) tunnel connections (`limits.max_connections`).
    public var maximumConnections: Int {
        get { admission.maximumAuthenticated }
        set { admission.maximumAuthenticated = newValue }
    }
    /// Whether to announce early data (`EarlyDataAnnouncement`) to each client. Off only to
    /// behave as a v1 server would, in tests.
    var announcesEarlyData = true
    /// How often to rekey with a client that opts in (PROTOCOL.md §10.3); nil never
    /// announces it, as a v1 server. Changed only by tests.
    var rekeying: RekeyPolicy? = .standard

    public init(
        listenHost: String, listenPort: Int, serverKey: X25519SecretKey, presharedKey: PresharedKey,
        adminKeys: [X25519PublicKey], egress: EgressPolicy
    ) {
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.serverKey = serverKey
        self.presharedKey = presharedKey
        self.adminKeys = adminKeys
        self.egress = egress
    }
}
