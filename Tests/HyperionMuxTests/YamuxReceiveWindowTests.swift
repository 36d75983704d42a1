import NIOCore
import Testing

@testable import HyperionMux

@Suite struct YamuxReceiveWindowTests {
    let kib: UInt32 = 1024
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test func grantsCreditOnlyForConsumedBytesAndAtHalfTheWindow() {
        var window = YamuxReceiveWindow(initial: 256 * kib, maximum: 16 * 1024 * kib, now: self.start)
        #expect(window.receive(200 * kib) == true)
        #expect(window.peerCredit == 56 * kib && window.buffered == 200 * kib)
        // Received but unread bytes earn nothing.
        #expect(window.consume(100 * kib, now: self.start, roundTripTime: nil) == nil)
        #expect(window.consume(27 * kib, now: self.start, roundTripTime: nil) == nil)
        #expect(window.consume(1 * kib, now: self.start, roundTripTime: nil) == 128 * kib)
        #expect(window.peerCredit == 184 * kib && window.consumedUngranted == 0)
        #expect(window.peerCredit + window.buffered + window.consumedUngranted == window.target)
    }

    @Test func refusesMoreThanTheCredit() {
        var window = YamuxReceiveWindow(initial: 256 * kib, maximum: 16 * 1024 * kib, now: self.start)
        #expect(window.receive(256 * kib) == true)
        #expect(window.receive(1) == false)
        #expect(window.buffered == 256 * kib, "a refused frame changes nothing")
    }

    @Test func doublesWhenUpdatesComeFasterThanTwoRoundTrips() {
        let rtt = TimeAmount.milliseconds(100)
        var window = YamuxReceiveWindow(initial: 256 * kib, maximum: 1024 * kib, now: self.start)
        var now = self.start
        var targets: [UInt32] = []
        for _ in 0..<6 {
            now = now + .milliseconds(50)
            let half = window.target / 2
            #expect(window.receive(half) == true)
            let delta = window.consume(half, now: now, roundTripTime: rtt)
            #expect(delta != nil)
            targets.append(window.target)
        }
        #expect(targets == [512 * kib, 1024 * kib, 1024 * kib, 1024 * kib, 1024 * kib, 1024 * kib])
        #expect(window.peerCredit + window.buffered + window.consumedUngranted == window.target)
    }

    @Test func growthIsGrantedWithTheUpdate() {
        var window = YamuxReceiveWindow(initial: 256 * kib, maximum: 1024 * kib, now: self.start)
        #expect(window.receive(128 * kib) == true)
        let delta = window.consume(128 * kib, now: self.start + .milliseconds(10), roundTripTime: .milliseconds(100))
        #expect(delta == 128 * kib + 256 * kib)
        #expect(window.peerCredit == 512 * kib)
    }

    @Test func doesNotGrowWhenSlowOrWithoutRoundTripTime() {
        var window = YamuxReceiveWindow(initial: 256 * kib, maximum: 1024 * kib, now: self.start)
        #expect(window.receive(128 * kib) == true)
        #expect(window.consume(128 * kib, now: self.start + .milliseconds(250), roundTripTime: .milliseconds(100)) == 128 * kib)
        #expect(window.target == 256 * kib)
        // Past the old limit (256 KiB) without stopping at it: the update was in time.
        #expect(window.receive(130 * kib) == true)
        #expect(window.consume(130 * kib, now: self.start + .milliseconds(260), roundTripTime: nil) == 130 * kib)
        #expect(window.target == 256 * kib)
    }

    /// The peer's data ends exactly at the limit it had before our update: the update came
    /// too late and the peer waited (on a lossy path, behind a loss repair in the other
    /// direction). The window quadruples, even without a round-trip sample: each such wait
    /// costs a round trip or more, so the window gets past them in half as many.
    @Test func quadruplesWhenThePeerRanOutBeforeOurUpdateReachedIt() {
        var window = YamuxReceiveWindow(initial: 256 * kib, maximum: 2048 * kib, now: self.start)
        #expect(window.receive(128 * kib) == true)
        #expect(window.consume(128 * kib, now: self.start, roundTripTime: nil) == 128 * kib)
        #expect(window.target == 256 * kib)
        // The rest of the old window, up to its last byte, and then nothing: the peer waited.
        #expect(window.receive(100 * kib) == true)
        #expect(window.receive(28 * kib) == true)
        #expect(window.peerWaitedForUpdate)
        let delta = window.consume(128 * kib, now: self.start + .seconds(1), roundTripTime: .milliseconds(1))
        #expect(delta == 128 * kib + 768 * kib)
        #expect(window.target == 1024 * kib && !window.peerWaitedForUpdate)
        #expect(window.peerCredit + window.buffered + window.consumedUngranted == window.target)
    }

    @Test func doesNotGrowWhenOurUpdateReachedThePeerInTime() {
        var window = YamuxReceiveWindow(initial: 256 * kib, maximum: 1024 * kib, now: self.start)
        #expect(window.receive(128 * kib) == true)
        #expect(window.consume(128 * kib, now: self.start, roundTripTime: nil) == 128 * kib)
        // The peer's frames run past the old limit (256 KiB) without stopping at it.
        #expect(window.receive(100 * kib) == true)
        #expect(window.receive(100 * kib) == true)
        #expect(!window.peerWaitedForUpdate)
        #expect(window.consume(200 * kib, now: self.start + .seconds(1), roundTripTime: nil) == 200 * kib)
        #expect(window.target == 256 * kib)
    }

    /// A peer that used the whole window before we owed it an update was held back by our
    /// reader, not by the path: no growth.
    @Test func doesNotGrowWhenOurReaderHeldThePeerBack() {
        var window = YamuxReceiveWindow(initial: 256 * kib, maximum: 1024 * kib, now: self.start)
        #expect(window.receive(256 * kib) == true)
        #expect(window.peerCredit == 0 && !window.peerWaitedForUpdate)
        #expect(window.consume(256 * kib, now: self.start + .seconds(1), roundTripTime: nil) == 256 * kib)
        #expect(window.target == 256 * kib)
    }

    @Test func neverGrowsBeyondTheCap() {
        var window = YamuxReceiveWindow(initial: 256 * kib, maximum: 300 * kib, now: self.start)
        #expect(window.receive(128 * kib) == true)
        _ = window.consume(128 * kib, now: self.start, roundTripTime: .seconds(1))
        #expect(window.target == 300 * kib)
        #expect(window.receive(150 * kib) == true)
        _ = window.consume(150 * kib, now: self.start, roundTripTime: .seconds(1))
        #expect(window.target == 300 * kib)
        #expect(window.peerCredit == 300 * kib)
    }

    @Test func aCapBelowTheInitialWindowIsRaisedToIt() {
        let window = YamuxReceiveWindow(initial: 256 * kib, maximum: 1, now: self.start)
        #expect(window.maximum == 256 * kib && window.target == 256 * kib)
    }
}
