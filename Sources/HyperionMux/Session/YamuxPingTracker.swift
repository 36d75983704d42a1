import NIOCore

/// Our outstanding pings and the round-trip time they measured.
///
/// The opaque value is a counter, so an ACK names the ping it answers; an ACK we did not ask
/// for is ignored. Outstanding pings are bounded: a ping that is never answered must not
/// grow the table forever.
struct YamuxPingTracker: Sendable {
    let maximumOutstanding: Int
    private var outstanding: [(opaque: UInt32, sentAt: NIODeadline)] = []
    private var nextOpaque: UInt32 = 1
    /// Smoothed as in TCP (RFC 6298): seven eighths of the old estimate, one eighth of the sample.
    private(set) var smoothedRoundTripTime: TimeAmount?

    init(maximumOutstanding: Int) {
        self.maximumOutstanding = maximumOutstanding
    }

    var outstandingCount: Int { self.outstanding.count }

    /// Registers a ping sent now and returns its opaque value, or nil at the limit.
    mutating func start(now: NIODeadline) -> UInt32? {
        guard self.outstanding.count < self.maximumOutstanding else { return nil }
        let opaque = self.nextOpaque
        self.nextOpaque &+= 1
        self.outstanding.append((opaque, now))
        return opaque
    }

    /// The round-trip time of the ping `opaque` answers, or nil if we did not send it.
    mutating func complete(opaque: UInt32, now: NIODeadline) -> TimeAmount? {
        guard let index = self.outstanding.firstIndex(where: { $0.opaque == opaque }) else { return nil }
        let sample = now - self.outstanding.remove(at: index).sentAt
        if let smoothed = self.smoothedRoundTripTime {
            self.smoothedRoundTripTime = .nanoseconds((smoothed.nanoseconds * 7 + sample.nanoseconds) / 8)
        } else {
            self.smoothedRoundTripTime = sample
        }
        return sample
    }

    /// Forgets every outstanding ping (the session ended) and returns their opaque values.
    mutating func removeAll() -> [UInt32] {
        defer { self.outstanding.removeAll() }
        return self.outstanding.map(\.opaque)
    }
}
