import NIOCore

/// The initiator ephemeral keys (the first 32 bytes of message 1, PROTOCOL.md §3) of recent
/// handshakes, so that an exact replay of a captured message 1 is dropped before any
/// Diffie-Hellman work.
///
/// Noise IK lets anyone replay message 1; without this, each replay costs the server three
/// DH operations and a message 2. A replay can never finish the handshake (it lacks the
/// ephemeral secret), so this is about cost, not about authentication.
///
/// Poisoning: only keys of message 1s that decrypted and named an allowlisted admin are
/// remembered (`insert` after the check), so an attacker without an admin key cannot fill
/// it, and a genuine client's ephemeral key is fresh and random, so no entry can match a
/// new genuine handshake. Bounded in entries and in age; the oldest entry goes first.
/// Pure: the caller passes the monotonic time.
struct ReplayCache {
    static let keyLength = 32

    let capacity: Int
    let maximumAge: TimeAmount
    private var seenAt: [[UInt8]: NIODeadline] = [:]
    /// Keys in insertion order, which is time order: a ring of `capacity` slots.
    private var ring: [[UInt8]?]
    private var oldest = 0
    private(set) var count = 0

    init(capacity: Int, maximumAge: TimeAmount) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.maximumAge = maximumAge
        self.ring = Array(repeating: nil, count: capacity)
    }

    /// The ephemeral key a message 1 starts with, or nil when it is too short to hold one.
    static func key(ofMessage1 message: [UInt8]) -> [UInt8]? {
        message.count >= keyLength ? Array(message.prefix(keyLength)) : nil
    }

    /// Whether `key` was inserted less than `maximumAge` ago.
    func contains(_ key: [UInt8], now: NIODeadline) -> Bool {
        guard let at = seenAt[key] else { return false }
        return now - at < maximumAge
    }

    /// Remembers `key`; false when it is already there (a replay that raced its original).
    mutating func insert(_ key: [UInt8], now: NIODeadline) -> Bool {
        forgetExpired(now: now)
        guard seenAt[key] == nil else { return false }
        if count == capacity { removeOldest() }
        ring[(oldest + count) % capacity] = key
        count += 1
        seenAt[key] = now
        return true
    }

    private mutating func forgetExpired(now: NIODeadline) {
        while count > 0, let key = ring[oldest], let at = seenAt[key], now - at >= maximumAge {
            removeOldest()
        }
    }

    private mutating func removeOldest() {
        if let key = ring[oldest] { seenAt[key] = nil }
        ring[oldest] = nil
        oldest = (oldest + 1) % capacity
        count -= 1
    }
}
