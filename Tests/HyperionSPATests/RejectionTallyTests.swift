import HyperionWire
import Testing
@testable import HyperionSPA

@Suite struct RejectionTallyTests {
    let second: UInt64 = 1_000_000_000

    @Test func reasonsAreDistinctAndIndexed() {
        let all = RejectionReason.allCases
        #expect(Set(all).count == all.count)
        #expect(Set(all.map(\.description)).count == all.count)
        #expect(all.enumerated().allSatisfy { $0.offset == $0.element.index })
        #expect(all.contains(.knock(.replayed)) && all.contains(.wrongPort))
    }

    @Test func oneSummaryPerIntervalAndOnlyIfSomethingWasRefused() {
        var tally = RejectionTally(intervalNanoseconds: 30 * second, now: 0)
        #expect(tally.summaryIfDue(now: 31 * second) == nil)  // quiet interval: nothing
        for _ in 0..<9998 { tally.record(.knock(.wrongLength)) }
        tally.record(.knock(.badMagic))
        tally.record(.wrongPort)
        #expect(tally.summaryIfDue(now: 40 * second) == nil)  // not due yet
        #expect(tally.nanosecondsUntilSummary(now: 40 * second) == 21 * second)
        let line = tally.summaryIfDue(now: 61 * second)
        #expect(line == "refused 10000 datagrams in the last 30 s: not to the knock port 1, wrong length 9998, bad magic 1")
        #expect(tally.summaryIfDue(now: 92 * second) == nil)  // counters were reset
    }

    @Test func totalsSurviveSummaries() {
        var tally = RejectionTally(intervalNanoseconds: second, now: 0)
        tally.record(.knock(.stale))
        _ = tally.summaryIfDue(now: 2 * second)
        tally.record(.knock(.stale))
        tally.record(.truncated)
        #expect(tally.totalsByReason == [.knock(.stale): 2, .truncated: 1])
    }

    @Test func kernelDropsAreReported() {
        var tally = RejectionTally(intervalNanoseconds: 500_000_000, now: 0)
        tally.record(.notAUDPDatagram)
        tally.recordKernelDrops(7)
        #expect(tally.summaryIfDue(now: second)
            == "refused 1 datagram in the last 500 ms: not a UDP datagram 1; the kernel dropped 7 more (receive buffer full)")
    }
}
