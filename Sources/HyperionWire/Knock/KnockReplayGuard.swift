/// Remembers the nonces of accepted knocks for as long as those knocks could still pass
/// the freshness check, so that a captured knock cannot be replayed (PROTOCOL.md §7).
///
/// Its memory is bounded: when `capacity` live nonces are held it fails closed, refusing
/// every new knock until old entries age out. Forging knocks needs the PSK, so only a
/// key holder could fill it; refusing then is the safe side.
public struct KnockReplayGuard: Sendable {
    public static let defaultCapacity = 4096

    /// Twelve bytes held without a heap allocation.
    struct NonceKey: Hashable, Sendable {
        let head: UInt64
        let tail: UInt32

        init(_ nonce: [UInt8]) {
            precondition(nonce.count == 12)
            head = nonce[0..<8].reduce(0) { ($0 << 8) | UInt64($1) }
            tail = nonce[8..<12].reduce(0) { ($0 << 8) | UInt32($1) }
        }
    }

    public enum Verdict: Hashable, Sendable {
        case admitted
        case replayed
        case full
    }

    public let capacity: Int
    /// Nonce → the last second at which its knock is still fresh.
    private var expiries: [NonceKey: UInt64] = [:]

    public init(capacity: Int = defaultCapacity) {
        precondition(capacity > 0)
        self.capacity = capacity
        expiries.reserveCapacity(capacity)
    }

    /// The number of nonces currently remembered.
    public var count: Int { expiries.count }

    /// Records `nonce` unless it was seen before or the guard is full. `freshUntil` is the
    /// last second at which the knock would still pass the freshness check.
    public mutating func admit(nonce: [UInt8], freshUntil: UInt64, now: UInt64) -> Verdict {
        let key = NonceKey(nonce)
        if let expiry = expiries[key], expiry >= now { return .replayed }
        if expiries.count >= capacity {
            expiries = expiries.filter { $0.value >= now }
            if expiries.count >= capacity { return .full }
        }
        expiries[key] = freshUntil
        return .admitted
    }
}
