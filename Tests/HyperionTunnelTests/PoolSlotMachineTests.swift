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
        #expect(slot.connectSucceeded() == [.logInfo("tunnel up")])
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
        #expect(slot.connectSucceeded() == [.logNotice("tunnel up again")])
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
        #expect(connecting.connectSucceeded() == [.closeSession], "a tunnel that comes up after the stop is closed")
    }
}
