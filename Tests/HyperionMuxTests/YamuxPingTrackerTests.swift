import NIOCore
import Testing

@testable import HyperionMux

@Suite struct YamuxPingTrackerTests {
    let start = NIODeadline.uptimeNanoseconds(5_000_000_000)

    @Test func measuresAndSmoothsRoundTrips() {
        var tracker = YamuxPingTracker(maximumOutstanding: 4)
        let first = tracker.start(now: self.start)!
        #expect(tracker.complete(opaque: first, now: self.start + .milliseconds(80)) == .milliseconds(80))
        #expect(tracker.smoothedRoundTripTime == .milliseconds(80))
        let second = tracker.start(now: self.start)!
        #expect(second != first)
        #expect(tracker.complete(opaque: second, now: self.start + .milliseconds(160)) == .milliseconds(160))
        #expect(tracker.smoothedRoundTripTime == .milliseconds(90))
    }

    @Test func ignoresUnknownAcks() {
        var tracker = YamuxPingTracker(maximumOutstanding: 4)
        #expect(tracker.complete(opaque: 42, now: self.start) == nil)
        #expect(tracker.smoothedRoundTripTime == nil)
    }

    @Test func boundsOutstandingPings() {
        var tracker = YamuxPingTracker(maximumOutstanding: 2)
        let a = tracker.start(now: self.start)
        #expect(a != nil && tracker.start(now: self.start) != nil)
        #expect(tracker.start(now: self.start) == nil)
        _ = tracker.complete(opaque: a!, now: self.start)
        #expect(tracker.start(now: self.start) != nil)
        #expect(tracker.removeAll().count == 2)
        #expect(tracker.outstandingCount == 0)
    }
}
