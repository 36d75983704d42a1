import NIOCore
import Testing
@testable import HyperionTunnel

/// The pool slot's connect and reconnect decisions, on a clock the tests drive.
@Suite struct PoolSlotMachineTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
    func at(_ milliseconds: Int64) -> NIODeadline { start + .milliseconds(milliseconds) }

    /// Always the ceiling of the jitter range, so delays are predictable.
    struct Highest: RandomNumberGenerator {
        mutating func next() -> UInt64 { .max }
    }

    @Test func connectsAtStartAndReportsTheFirstTunnelQuietly() {
        var slot = PoolSlotMachine()
        #expect(slot.start(now: at(0)) == [.cancelRetry, .connect])
        #expect(slot.connectSucceeded() == [.adoptNewSession, .logInfo("tunnel up")])
        #expect(slot.state == .live)
    }

    @Test func failuresBackOffAndARepeatedErrorIsLoggedOnce() {
        var slot = PoolSlotMachine()
        var random = Highest()
        _ = slot.start(now: at(0))
        #expect(slot.connectFailed("refused", now: at(10), waitersPresent: false, using: &random) == [
            .logNotice("tunnel connect failed: refused; retrying with backoff"), .scheduleRetry(at: at(260)),
        ])
        #expect(slot.retryDue(now: at(260)) == [.cancelRetry, .connect])
        #expect(slot.connectFailed("refused", now: at(270), waitersPresent: false, using: &random) == [
            .logDebug("tunnel connect failed again: refused"), .scheduleRetry(at: at(770)),
        ])
        _ = slot.retryDue(now: at(770))
        #expect(slot.connectSucceeded() == [.adoptNewSession, .logNotice("tunnel up again")])
    }

    /// Waiting local connections cut the backoff short, but attempts stay 250 ms apart.
    @Test func waitersRetrySoonButNotInAStorm() {
        var slot = PoolSlotMachine()
        var random = Highest()
        _ = slot.start(now: at(0))
        #expect(slot.connectFailed("timed out", now: at(100), waitersPresent: true, using: &random) == [
            .logNotice("tunnel connect failed: timed out; retrying with backoff"), .scheduleRetry(at: at(250)),
        ])
        #expect(slot.kick(now: at(120)) == [], "already due at the earliest moment")
        #expect(slot.retryDue(now: at(250)) == [.cancelRetry, .connect])
        #expect(slot.kick(now: at(260)) == [], "an attempt is under way")
    }

    @Test func aKickCutsALongBackoffShort() {
        var slot = PoolSlotMachine()
        var random = Highest()
        _ = slot.start(now: at(0))
        for attempt in 0..<6 {
            _ = slot.connectFailed("refused", now: at(Int64(attempt) * 100_000 + 1), waitersPresent: false, using: &random)
            _ = slot.retryDue(now: at(Int64(attempt + 1) * 100_000))
        }
        let actions = slot.connectFailed("refused", now: at(700_000), waitersPresent: false, using: &random)
        #expect(actions.last == .scheduleRetry(at: at(715_000)), "the backoff reached 15 s")
        #expect(slot.kick(now: at(701_000)) == [.cancelRetry, .connect], "a waiter connects at once")
    }

    /// A connection that ends (closed by its watchdog as dead, or reset) is replaced: at
    /// once when local connections wait, after the first backoff step otherwise.
    @Test func anEndedConnectionIsReplaced() {
        var random = Highest()
        var waited = PoolSlotMachine()
        _ = waited.start(now: at(0))
        _ = waited.connectSucceeded()
        #expect(waited.sessionEnded(now: at(5000), waitersPresent: true, using: &random) == [
            .logNotice("tunnel connection closed; reconnecting"), .cancelRetry, .connect,
        ])
        var idle = PoolSlotMachine()
        _ = idle.start(now: at(0))
        _ = idle.connectSucceeded()
        #expect(idle.sessionEnded(now: at(5000), waitersPresent: false, using: &random) == [
            .logNotice("tunnel connection closed; reconnecting"), .scheduleRetry(at: at(5250)),
        ])
    }

    @Test func stoppedStaysStopped() {
        var slot = PoolSlotMachine()
        var random = Highest()
        _ = slot.start(now: at(0))
        _ = slot.connectSucceeded()
        #expect(slot.stop() == [.cancelRetry, .closeSession])
        #expect(slot.sessionEnded(now: at(1), waitersPresent: true, using: &random) == [])
        #expect(slot.kick(now: at(2)) == [])
        #expect(slot.retryDue(now: at(3)) == [])
        var connecting = PoolSlotMachine()
        _ = connecting.start(now: at(0))
        _ = connecting.stop()
        #expect(connecting.connectSucceeded() == [.closeNewSession], "a tunnel that comes up after the stop is closed")
    }

    // MARK: replacing a suspect connection

    static let replacing = PoolSlotMachine.Action.logNotice("a stream waits and every tunnel connection is suspect: connecting a replacement beside this one")

    func liveSlot() -> PoolSlotMachine {
        var slot = PoolSlotMachine()
        _ = slot.start(now: at(0))
        _ = slot.connectSucceeded()
        return slot
    }

    /// Issue 16, the blackhole row: after a silent outage every pool connection is suspect,
    /// and a new stream used to wait until one was heard again or declared dead (3 s), while
    /// TCP's backed-off retransmissions reached the peer seconds after the path was back. A
    /// fresh connection, made beside the suspect one, works as soon as the path does.
    @Test func aWaitingStreamStartsAReplacementBesideASuspectConnection() {
        var slot = liveSlot()
        #expect(slot.kick(now: at(20_000), liveSessionSuspect: true) == [Self.replacing, .connect])
        #expect(slot.state == .live, "the suspect connection keeps its streams meanwhile")
        #expect(slot.kick(now: at(20_100), liveSessionSuspect: true) == [], "one replacement in flight at a time")
        #expect(slot.connectSucceeded(liveSessionSuspect: true) == [
            .closeSession, .adoptNewSession, .logNotice("replaced a suspect tunnel connection"),
        ])
        #expect(slot.state == .live)
    }

    @Test func aSuspectConnectionThatAnswersFirstStaysAndItsReplacementIsClosed() {
        var slot = liveSlot()
        _ = slot.kick(now: at(20_000), liveSessionSuspect: true)
        #expect(slot.connectSucceeded(liveSessionSuspect: false) == [
            .closeNewSession, .logNotice("the suspect tunnel connection answered before its replacement was up; keeping it"),
        ])
        #expect(slot.kick(now: at(30_000), liveSessionSuspect: true) == [Self.replacing, .connect], "and it may be replaced later")
    }

    @Test func aHealthyConnectionIsNeverReplaced() {
        var slot = liveSlot()
        #expect(slot.kick(now: at(20_000), liveSessionSuspect: false) == [])
        #expect(slot.kick(now: at(20_000)) == [])
    }

    /// A replacement that cannot connect either (the path is still dead) is tried again only
    /// after the slot's backoff, however many streams wait.
    @Test func failedReplacementsBackOff() {
        var slot = liveSlot()
        var random = Highest()
        _ = slot.kick(now: at(20_000), liveSessionSuspect: true)
        #expect(slot.connectFailed("timed out", now: at(23_000), waitersPresent: true, using: &random) == [
            .logNotice("a replacement for a suspect tunnel connection failed: timed out; trying again after a backoff"),
        ])
        #expect(slot.state == .live)
        #expect(slot.kick(now: at(23_100), liveSessionSuspect: true) == [], "within the backoff (250 ms)")
        #expect(slot.kick(now: at(23_250), liveSessionSuspect: true) == [Self.replacing, .connect])
        _ = slot.connectFailed("timed out", now: at(26_000), waitersPresent: true, using: &random)
        #expect(slot.kick(now: at(26_400), liveSessionSuspect: true) == [], "the backoff doubled (500 ms)")
        #expect(slot.kick(now: at(26_500), liveSessionSuspect: true) == [Self.replacing, .connect])
        #expect(slot.connectSucceeded(liveSessionSuspect: true).contains(.adoptNewSession))
        _ = slot.kick(now: at(40_000), liveSessionSuspect: true)
        #expect(slot.connectFailed("timed out", now: at(40_010), waitersPresent: true, using: &random).count == 1)
        #expect(slot.kick(now: at(40_260), liveSessionSuspect: true) == [Self.replacing, .connect], "a success reset the backoff")
    }

    /// The suspect connection is found dead (or reset) while its replacement connects: the
    /// attempt under way becomes the slot's connect, and no second one starts.
    @Test func aSuspectConnectionThatEndsHandsOverToItsReplacement() {
        var slot = liveSlot()
        var random = Highest()
        _ = slot.kick(now: at(20_000), liveSessionSuspect: true)
        #expect(slot.sessionEnded(now: at(21_000), waitersPresent: true, using: &random) == [
            .logNotice("tunnel connection closed; its replacement is already connecting"),
        ])
        #expect(slot.state == .connecting)
        #expect(slot.kick(now: at(21_500), liveSessionSuspect: false) == [])
        #expect(slot.connectSucceeded(liveSessionSuspect: false) == [.adoptNewSession, .logNotice("tunnel up again")])
    }

    @Test func aReplacementThatComesUpAfterTheStopIsClosed() {
        var slot = liveSlot()
        _ = slot.kick(now: at(20_000), liveSessionSuspect: true)
        #expect(slot.stop() == [.cancelRetry, .closeSession])
        #expect(slot.connectSucceeded(liveSessionSuspect: true) == [.closeNewSession])
    }
}
