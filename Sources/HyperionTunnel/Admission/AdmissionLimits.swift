import NIOCore

/// The bounds `AdmissionMachine` enforces (`[limits]` in server.toml).
///
/// A connection is *unauthenticated* from its accept until the client's first transport
/// frame decrypts (which proves it holds the handshake's ephemeral secret, so it is no
/// replay) and *authenticated* after. The two are counted apart so that connections from
/// someone without the keys can never take the slots an admin needs.
public struct AdmissionLimits: Sendable, Hashable {
    /// `max_unauthenticated`: connections not yet proven, from all sources together.
    public var maximumUnauthenticated = 1024
    /// `max_unauthenticated_per_source`: the same, per IPv4 address or IPv6 /64.
    public var maximumUnauthenticatedPerSource = 8
    /// `handshakes_per_sec`: new connections per source per second, sustained.
    public var handshakesPerSecond = 10
    /// `handshake_burst`: new connections per source allowed at once above the rate.
    public var handshakeBurst = 20
    /// `max_connections`: authenticated connections.
    public var maximumAuthenticated = 256
    /// How long a connection may stay unauthenticated (`handshake_timeout_ms`).
    public var handshakeTimeout: TimeAmount = .seconds(3)

    public init() {}

    /// Sources remembered at once: all those with a connection in flight can be, plus
    /// room for rate state of recently seen ones.
    var sourceTableCapacity: Int { maximumUnauthenticated + 1024 }
}
