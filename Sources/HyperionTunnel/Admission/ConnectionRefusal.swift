import HyperionWire

/// Why the server closed a tunnel connection that never became an admin's: the rows of
/// the periodic refusal summary (`RefusalTally`).
enum ConnectionRefusal: Int, TalliedReason {
    var tallyIndex: Int { rawValue }

    /// The source (IPv4 address or IPv6 /64) had `max_unauthenticated_per_source` open.
    case perSourceLimit
    /// `max_unauthenticated` connections were open, from all sources together.
    case unauthenticatedLimit
    /// The source opened connections faster than `handshakes_per_sec`/`handshake_burst`.
    case handshakeRate
    /// The connection proved itself, but `max_connections` admins were already connected.
    case authenticatedLimit
    /// Message 1 was one seen recently (a replay), dropped before any DH work.
    case replayed
    /// Message 1 decrypted but its admin key is not in `identity.admin_pubkeys` (anyone
    /// can make such a message with a key of their own; an admin whose key was left out
    /// shows here too).
    case unknownAdmin
    /// Message 1 did not decrypt or was malformed.
    case handshakeFailed
    /// No valid transport frame before the handshake timeout or the connection's end.
    case unproven
    /// The server was shutting down.
    case shuttingDown

    var description: String {
        switch self {
        case .perSourceLimit: "per-source limit"
        case .unauthenticatedLimit: "unauthenticated limit"
        case .handshakeRate: "handshake rate"
        case .authenticatedLimit: "max_connections"
        case .replayed: "replayed message 1"
        case .unknownAdmin: "unknown admin key"
        case .handshakeFailed: "handshake failed"
        case .unproven: "no proof in time"
        case .shuttingDown: "shutting down"
        }
    }
}
