import NIOCore
import Synchronization

/// What a tunnel connection's status shows, readable from any thread: the yamux bytes
/// each way (what the Noise layer carries, before encryption), the smoothed ping round
/// trip, and when the handshake finished. Written on the connection's loop only.
public final class TunnelMeter: Sendable {
    private let received = Atomic<UInt64>(0)
    private let sent = Atomic<UInt64>(0)
    /// Nanoseconds; negative until the first ping is answered.
    private let roundTrip = Atomic<Int64>(-1)
    /// When the connection became usable (its handshake finished).
    public let establishedAt: NIODeadline

    init(establishedAt: NIODeadline = .now()) {
        self.establishedAt = establishedAt
    }

    public var bytesIn: UInt64 { received.load(ordering: .relaxed) }
    public var bytesOut: UInt64 { sent.load(ordering: .relaxed) }

    /// The smoothed round trip of the watchdog's pings; nil before the first answer.
    public var roundTripTime: TimeAmount? {
        let nanoseconds = roundTrip.load(ordering: .relaxed)
        return nanoseconds < 0 ? nil : .nanoseconds(nanoseconds)
    }

    func countIn(_ bytes: Int) { received.add(UInt64(bytes), ordering: .relaxed) }
    func countOut(_ bytes: Int) { sent.add(UInt64(bytes), ordering: .relaxed) }
    func recordRoundTrip(_ time: TimeAmount) { roundTrip.store(time.nanoseconds, ordering: .relaxed) }
}
