import NIOCore
import Testing
@testable import HyperionTunnel

/// The liveness state machine on a clock the tests drive.
@Suite struct TunnelLivenessTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    func machine() -> TunnelLiveness {
        TunnelLiveness(configuration: .init(pingInterval: .seconds(5), pingTimeout: .seconds(15)), now: start)
    }

    func at(_ milliseconds: Int64) -> NIODeadline { start + .milliseconds(milliseconds) }

    @Test func pingsAtOnceThenEveryInterval() {
        var liveness = machine()
        #expect(liveness.tick(now: at(0)) == [.sendPing])
        liveness.pingAnswered(now: at(1), roundTripTime: .milliseconds(1))
        #expect(liveness.tick(now: at(4999)) == [])
        #expect(liveness.nextDeadline == at(5000))
        #expect(liveness.tick(now: at(5000)) == [.sendPing])
    }

    /// An idle path that dies is found by the periodic pings at the ping timeout.
    @Test func nothingHeardForThePingTimeoutIsDeath() {
        var liveness = machine()
        _ = liveness.tick(now: at(0))
        liveness.pingAnswered(now: at(1), roundTripTime: .milliseconds(1))
        for second in 1...3 { #expect(liveness.tick(now: at(Int64(second) * 5000)) == [.sendPing]) }
        #expect(liveness.nextDeadline == at(15_001))
        guard case .declareDead = liveness.tick(now: at(15_001)).first else {
            Issue.record("not declared dead after 15 s of silence")
            return
        }
        #expect(liveness.isDead && liveness.tick(now: at(20_000)).isEmpty)
    }

    /// Deliver 1: an overdue ping makes the connection suspect (no new streams), and its
    /// answer clears that.
    @Test func anOverduePingMakesItSuspectUntilAnswered() {
        var liveness = machine()
        _ = liveness.tick(now: at(0))
        liveness.pingAnswered(now: at(2), roundTripTime: .milliseconds(2))
        _ = liveness.tick(now: at(5000))
        #expect(!liveness.isSuspect(now: at(5900)))
        #expect(liveness.isSuspect(now: at(6001)), "unanswered for more than a second")
        liveness.pingAnswered(now: at(6500), roundTripTime: .milliseconds(1500))
        #expect(!liveness.isSuspect(now: at(6501)))
    }

    /// A busy connection whose ping answer waits behind its data is heard all the time:
    /// not suspect, not dead.
    @Test func dataFromThePeerCountsAsLife() {
        var liveness = machine()
        _ = liveness.tick(now: at(0))
        for millisecond in stride(from: Int64(100), through: 30_000, by: 100) {
            liveness.heard(now: at(millisecond))
            for action in liveness.tick(now: at(millisecond)) { #expect(action == .sendPing) }
            #expect(!liveness.isSuspect(now: at(millisecond)))
        }
        #expect(!liveness.isDead)
    }

    /// Deliver 2: an open unanswered after a second sends a ping at once; with nothing
    /// heard, the connection is dead 3 s after the open.
    @Test func anUnansweredOpenProbesAtOnceAndDeclaresDeathWithinThreeSeconds() {
        var liveness = machine()
        _ = liveness.tick(now: at(0))
        liveness.pingAnswered(now: at(1), roundTripTime: .milliseconds(1))
        let open = liveness.openSent(now: at(2000))
        _ = open
        #expect(liveness.tick(now: at(2000)) == [])
        #expect(liveness.nextDeadline == at(3000))
        #expect(liveness.tick(now: at(3000)) == [.sendPing], "the probe")
        #expect(liveness.isSuspect(now: at(3001)))
        #expect(liveness.nextDeadline == at(5000))
        #expect(liveness.tick(now: at(5000)) == [.declareDead("a stream open went unanswered for 3000 ms and nothing was heard from the server since")])
    }

    @Test func anOpenOnALivePathIsNotDeath() {
        var liveness = machine()
        _ = liveness.tick(now: at(0))
        liveness.pingAnswered(now: at(1), roundTripTime: .milliseconds(1))
        _ = liveness.openSent(now: at(2000))
        #expect(liveness.tick(now: at(3000)) == [.sendPing])
        // The server is slow to answer the open (its dial waits), but answers the probe.
        liveness.pingAnswered(now: at(3001), roundTripTime: .milliseconds(1))
        #expect(!liveness.isSuspect(now: at(4000)))
        #expect(liveness.tick(now: at(5000)).allSatisfy { $0 == .sendPing })
        #expect(!liveness.isDead)
    }

    @Test func anAnsweredOpenNoLongerWaits() {
        var liveness = machine()
        _ = liveness.tick(now: at(0))
        liveness.pingAnswered(now: at(1), roundTripTime: .milliseconds(1))
        let open = liveness.openSent(now: at(2000))
        liveness.openAnswered(open)
        #expect(liveness.nextDeadline == at(5000))
        #expect(!liveness.isSuspect(now: at(4000)))
    }

    /// Patience grows with the path: on a 500 ms round trip an open may take 2 s.
    @Test func patienceIsAFewRoundTripsOnASlowPath() {
        var liveness = machine()
        _ = liveness.tick(now: at(0))
        liveness.pingAnswered(now: at(500), roundTripTime: .milliseconds(500))
        #expect(liveness.patience == .seconds(2))
        _ = liveness.openSent(now: at(1000))
        #expect(liveness.tick(now: at(2500)) == [])
        #expect(!liveness.isSuspect(now: at(2900)))
        #expect(liveness.tick(now: at(3000)) == [.sendPing])
    }

    /// Early data only leaves on a connection heard from a moment ago.
    @Test func freshOnlyRightAfterHearingFromThePeer() {
        var liveness = machine()
        _ = liveness.tick(now: at(0))
        liveness.pingAnswered(now: at(1), roundTripTime: .milliseconds(1))
        #expect(liveness.isFresh(now: at(200)))
        #expect(!liveness.isFresh(now: at(300)))
        liveness.heard(now: at(1000))
        #expect(liveness.isFresh(now: at(1100)))
    }

    /// A stream that waits because the connection is suspect probes it like an open: the
    /// connection is dead 3 s later if still silent, so the wait ends with a replacement.
    @Test func aStreamWaitingOnASuspectConnectionGetsItDeclaredDeadInThreeSeconds() {
        var liveness = machine()
        _ = liveness.tick(now: at(0))
        liveness.pingAnswered(now: at(1), roundTripTime: .milliseconds(1))
        #expect(liveness.tick(now: at(5000)) == [.sendPing])
        #expect(liveness.isSuspect(now: at(6001)))
        liveness.streamWaits(now: at(6500))
        #expect(liveness.tick(now: at(7500)) == [.sendPing], "a probe of its own")
        #expect(liveness.nextDeadline == at(9500))
        #expect(liveness.tick(now: at(9500)).first.map { if case .declareDead = $0 { true } else { false } } == true)
    }

    @Test func aWaitEndsWhenThePeerIsHeard() {
        var liveness = machine()
        _ = liveness.tick(now: at(0))
        liveness.pingAnswered(now: at(1), roundTripTime: .milliseconds(1))
        _ = liveness.tick(now: at(5000))
        liveness.streamWaits(now: at(6500))
        liveness.heard(now: at(7000))
        #expect(!liveness.isSuspect(now: at(7001)))
        #expect(liveness.tick(now: at(9500)).isEmpty)
        #expect(!liveness.isDead)
    }
}
