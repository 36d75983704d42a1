import HyperionWire
import Testing

@Suite struct RefusalTallyTests {
    enum Reason: Int, TalliedReason {
        case tooLong, stale, replayed
        var tallyIndex: Int { rawValue }
        var description: String { ["too long", "stale", "replayed"][rawValue] }
    }

    let second: UInt64 = 1_000_000_000

    func tally(interval: UInt64) -> RefusalTally<Reason> {
        RefusalTally(counting: "datagram", intervalNanoseconds: interval, now: 0)
    }

    @Test func oneLinePerIntervalWithEveryReasonInOrder() {
        var tally = tally(interval: 30 * second)
        for _ in 0..<9998 { tally.record(.replayed) }
        tally.record(.tooLong)
        tally.record(.stale)
        #expect(tally.summaryIfDue(now: 30 * second - 1) == nil, "not due yet")
        #expect(tally.nanosecondsUntilSummary(now: 20 * second) == 10 * second)
        #expect(tally.summaryIfDue(now: 30 * second)
            == "refused 10000 datagrams in the last 30 s: 1 too long, 1 stale, 9998 replayed")
        #expect(tally.summaryIfDue(now: 60 * second) == nil, "the counts started over")
    }

    @Test func quietIntervalsLogNothing() {
        var tally = tally(interval: 10 * second)
        #expect(tally.summaryIfDue(now: 30 * second) == nil)
        tally.record(.stale)
        #expect(tally.summaryIfDue(now: 35 * second) == nil, "the interval runs from 30 s to 40 s")
        #expect(tally.summaryIfDue(now: 40 * second) == "refused 1 datagram in the last 10 s: 1 stale")
    }

    @Test func aLateTimerDoesNotShiftLaterSummaries() {
        var tally = tally(interval: 10 * second)
        tally.record(.stale)
        #expect(tally.summaryIfDue(now: 10 * second + 900_000_000) != nil)
        #expect(tally.nanosecondsUntilSummary(now: 10 * second + 900_000_000) == 9_100_000_000)
        tally.record(.stale)
        #expect(tally.summaryIfDue(now: 20 * second) != nil)
    }

    @Test func intervalsMissedEntirelyAreSkippedAtOnce() {
        var tally = tally(interval: second)
        let ended = tally.intervalEnded(now: 86_400 * second + 500_000_000)
        #expect(ended)
        #expect(tally.nanosecondsUntilSummary(now: 86_400 * second + 500_000_000) == 500_000_000)
        let endedEarly = tally.intervalEnded(now: 86_401 * second - 1)
        #expect(!endedEarly)
    }

    @Test func takeSummaryFlushesWhatIsLeftWhetherDueOrNot() {
        var tally = tally(interval: 500_000_000)
        #expect(tally.takeSummary() == nil)
        tally.record(.replayed)
        tally.record(.tooLong)
        #expect(tally.takeSummary() == "refused 2 datagrams in the last 500 ms: 1 too long, 1 replayed")
        #expect(tally.takeSummary() == nil)
    }

    @Test func totalsSurviveSummaries() {
        var tally = tally(interval: second)
        tally.record(.stale)
        _ = tally.summaryIfDue(now: 2 * second)
        tally.record(.stale)
        tally.record(.tooLong)
        #expect(tally.totalsByReason == [.stale: 2, .tooLong: 1])
    }
}
