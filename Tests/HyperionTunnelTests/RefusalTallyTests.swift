import NIOCore
import Testing
@testable import HyperionTunnel

@Suite struct RefusalTallyTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test func oneLinePerIntervalWithEveryReason() {
        let tally = Tally(interval: .seconds(10), now: start)
        for _ in 0..<24_000 { tally.record(.perSourceLimit) }
        for _ in 0..<463 { tally.record(.handshakeFailed) }
        #expect(tally.summaryIfDue(now: start + .seconds(9)) == nil)
        #expect(tally.summaryIfDue(now: start + .seconds(10))
            == "refused 24463 connections in the last 10 s: 24000 per-source limit, 463 handshake failed")
        #expect(tally.summaryIfDue(now: start + .seconds(10)) == nil, "counts start over")
    }

    @Test func quietIntervalsLogNothing() {
        let tally = Tally(interval: .seconds(10), now: start)
        #expect(tally.summaryIfDue(now: start + .seconds(30)) == nil)
        tally.record(.replayed)
        #expect(tally.summaryIfDue(now: start + .seconds(35)) == nil, "the interval runs from 30 s to 40 s")
        #expect(tally.summaryIfDue(now: start + .seconds(40)) == "refused 1 connection in the last 10 s: 1 replayed message 1")
    }

    @Test func aLateTimerDoesNotShiftLaterSummaries() {
        let tally = Tally(interval: .seconds(10), now: start)
        tally.record(.unproven)
        #expect(tally.summaryIfDue(now: start + .seconds(10) + .milliseconds(900)) != nil)
        tally.record(.unproven)
        #expect(tally.summaryIfDue(now: start + .seconds(20)) != nil)
    }

    @Test func takeSummaryFlushesWhatIsLeft() {
        let tally = Tally(interval: .milliseconds(500), now: start)
        #expect(tally.takeSummary() == nil)
        tally.record(.authenticatedLimit)
        tally.record(.unauthenticatedLimit)
        tally.record(.handshakeRate)
        #expect(tally.takeSummary() == "refused 3 connections in the last 500 ms: 1 unauthenticated limit, 1 handshake rate, 1 max_connections")
        #expect(tally.takeSummary() == nil)
    }
}

/// The tally behind a reference, so that `#expect` can call its mutating methods.
private final class Tally {
    private var tally: RefusalTally
    init(interval: TimeAmount, now: NIODeadline) { tally = RefusalTally(interval: interval, now: now) }
    func record(_ reason: ConnectionRefusal) { tally.record(reason) }
    func summaryIfDue(now: NIODeadline) -> String? { tally.summaryIfDue(now: now) }
    func takeSummary() -> String? { tally.takeSummary() }
}
