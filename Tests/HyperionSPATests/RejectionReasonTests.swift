import HyperionWire
import Testing
@testable import HyperionSPA

@Suite struct RejectionReasonTests {
    @Test func reasonsAreDistinctAndIndexed() {
        let all = RejectionReason.allCases
        #expect(Set(all).count == all.count)
        #expect(Set(all.map(\.description)).count == all.count)
        #expect(all.enumerated().allSatisfy { $0.offset == $0.element.tallyIndex })
        #expect(all.contains(.knock(.replayed)) && all.contains(.wrongPort))
    }
}
