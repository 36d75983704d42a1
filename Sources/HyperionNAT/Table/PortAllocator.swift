/// The free NAT ports of one family, as a queue: `take` from the front, `release` to the
/// back. A freed port therefore waits behind every other free port before it is handed out
/// again, which gives the app's kernel (TIME-WAIT) and ours the longest possible gap between
/// two flows on the same `peer:port`.
///
/// When the queue is empty there is no port, and the caller refuses the flow: nothing wraps
/// around onto a port that is still in use. The ring is allocated once, at its full size.
struct PortAllocator {
    private var ring: [UInt16]
    private var head = 0
    private(set) var freeCount: Int

    init(_ ports: ClosedRange<UInt16>) {
        ring = Array(ports)
        freeCount = ring.count
    }

    mutating func take() -> UInt16? {
        guard freeCount > 0 else { return nil }
        let port = ring[head]
        head = head + 1 == ring.count ? 0 : head + 1
        freeCount -= 1
        return port
    }

    /// Only for a port `take` returned and not released since; the table guarantees that by
    /// releasing a port only when it removes the flow that held it.
    mutating func release(_ port: UInt16) {
        precondition(freeCount < ring.count, "a NAT port was released twice")
        ring[(head + freeCount) % ring.count] = port
        freeCount += 1
    }
}
