import HyperionWire
import Testing
@testable import HyperionTunnel

@Suite struct ConnectionRefusalTests {
    @Test func reasonsAreDistinctAndIndexed() {
        let all = ConnectionRefusal.allCases
        #expect(Set(all.map(\.description)).count == all.count)
        #expect(all.enumerated().allSatisfy { $0.offset == $0.element.tallyIndex })
    }

    @Test func theSummaryNamesConnections() {
        var tally = RefusalTally<ConnectionRefusal>(counting: "connection", intervalNanoseconds: 10_000_000_000, now: 0)
        for _ in 0..<24_000 { tally.record(.perSourceLimit) }
        for _ in 0..<463 { tally.record(.handshakeFailed) }
        let line = tally.summaryIfDue(now: 10_000_000_000)
        #expect(line == "refused 24463 connections in the last 10 s: 24000 per-source limit, 463 handshake failed")
    }
}
