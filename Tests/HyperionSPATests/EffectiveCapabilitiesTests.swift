import Testing
@testable import HyperionSPA

@Suite struct EffectiveCapabilitiesTests {
    @Test func parsesCapEff() throws {
        let status = "Name:\tserver\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t0000000000003000\nCapBnd:\t000001ffffffffff\n"
        let capabilities = try #require(EffectiveCapabilities(procStatus: status))
        #expect(capabilities.contains(EffectiveCapabilities.netAdmin))
        #expect(capabilities.contains(EffectiveCapabilities.netRaw))
        #expect(!capabilities.contains(21))
    }

    @Test func rootHasEverything() throws {
        let capabilities = try #require(EffectiveCapabilities(procStatus: "CapEff:\t000001ffffffffff"))
        #expect(capabilities.contains(12) && capabilities.contains(13) && capabilities.contains(40))
        #expect(!capabilities.contains(64) && !capabilities.contains(-1))
    }

    @Test func noneWithoutTheBits() throws {
        let capabilities = try #require(EffectiveCapabilities(procStatus: "CapEff:\t0000000000001000\n"))
        #expect(capabilities.contains(EffectiveCapabilities.netAdmin))
        #expect(!capabilities.contains(EffectiveCapabilities.netRaw))
    }

    @Test(arguments: ["", "CapPrm:\t0000000000003000", "CapEff:", "CapEff:\tzz", "CapEff:\t00000000000000000001"])
    func refusesMalformedStatus(text: String) {
        #expect(EffectiveCapabilities(procStatus: text) == nil)
    }
}
