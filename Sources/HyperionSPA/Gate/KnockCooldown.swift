/// Lets each source address through to the firewall at most once per cooldown.
///
/// A valid knock costs an `nft` process; a client that knocks in a loop (or a pool that
/// reconnects several tunnels at once) should not cost one per datagram. A knock refused
/// here is still a valid knock: the address was let through moments ago and its set
/// element is still alive, because `SPASettings` insists the cooldown is shorter than the
/// element timeout.
///
/// Memory is bounded by `capacity` sources. When it is full, expired entries are dropped
/// first and then the oldest one. That scan is O(capacity), but it only runs for
/// authenticated knocks, which need the PSK, so nobody without the key can make it hot.
public struct KnockCooldown: Sendable {
    public static let defaultCapacity = 4096

    public let cooldownSeconds: UInt64
    public let capacity: Int
    /// Source → the time its last knock was let through.
    private var lastAdmitted: [IPAddress: UInt64] = [:]

    public init(cooldownSeconds: UInt64, capacity: Int = defaultCapacity) {
        precondition(capacity > 0, "a cooldown needs room for at least one source")
        self.cooldownSeconds = cooldownSeconds
        self.capacity = capacity
        lastAdmitted.reserveCapacity(capacity)
    }

    /// The number of sources remembered.
    public var count: Int { lastAdmitted.count }

    /// True when `source` may reach the firewall now, and remembers that it did.
    public mutating func admit(_ source: IPAddress, now: UInt64) -> Bool {
        if let last = lastAdmitted[source], !expired(last, now: now) { return false }
        if lastAdmitted[source] == nil && lastAdmitted.count >= capacity { makeRoom(now: now) }
        lastAdmitted[source] = now
        return true
    }

    /// After the clock stepped backwards an entry counts as expired: one extra `nft` call
    /// is cheap, while waiting out the step could lock an admin out for as long as it was.
    private func expired(_ last: UInt64, now: UInt64) -> Bool {
        now < last || now - last >= cooldownSeconds
    }

    private mutating func makeRoom(now: UInt64) {
        lastAdmitted = lastAdmitted.filter { !expired($0.value, now: now) }
        if lastAdmitted.count >= capacity, let oldest = lastAdmitted.min(by: { $0.value < $1.value }) {
            lastAdmitted[oldest.key] = nil
        }
    }
}
