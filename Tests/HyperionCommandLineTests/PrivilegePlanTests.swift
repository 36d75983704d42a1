import Testing
@testable import HyperionCommandLine

/// Which capabilities the server keeps, given the config and who started it.
@Suite struct PrivilegePlanTests {
    @Test func knockUnderAUserKeepsAdminAndRawWithAdminAmbientForNft() {
        let plan = PrivilegePlan.server(knockEnabled: true, user: "hyperion", startedAsRoot: true)
        #expect(plan.identity == .switchTo(user: "hyperion"))
        #expect(plan.kept == [.netAdmin, .netRaw])
        #expect(plan.ambient == [.netAdmin])
        #expect(plan.kept.rawValue == 0x3000 && plan.ambient.rawValue == 0x1000)
    }

    @Test func knockAsRootCutsTheBoundingSetAndNeedsNoAmbient() {
        let plan = PrivilegePlan.server(knockEnabled: true, user: nil, startedAsRoot: true)
        #expect(plan == PrivilegePlan(identity: .stayRoot, kept: [.netAdmin, .netRaw], ambient: []))
    }

    @Test func withoutKnockNothingIsKept() {
        #expect(PrivilegePlan.server(knockEnabled: false, user: nil, startedAsRoot: true) == PrivilegePlan(identity: .stayRoot, kept: [], ambient: []))
        #expect(PrivilegePlan.server(knockEnabled: false, user: "u", startedAsRoot: true) == PrivilegePlan(identity: .switchTo(user: "u"), kept: [], ambient: []))
    }

    @Test func neverKeepsBindServiceWhateverThePort() {
        for knock in [false, true] {
            for user in [nil, "u"] {
                #expect(!PrivilegePlan.server(knockEnabled: knock, user: user, startedAsRoot: true).kept.contains(.netBindService))
            }
        }
    }

    @Test func notStartedAsRootThereIsNothingToDrop() {
        #expect(PrivilegePlan.server(knockEnabled: true, user: nil, startedAsRoot: false) == PrivilegePlan(identity: .unprivileged(expectedUser: nil), kept: [], ambient: []))
        #expect(PrivilegePlan.server(knockEnabled: true, user: "u", startedAsRoot: false).identity == .unprivileged(expectedUser: "u"))
    }

    @Test func capabilityNames() {
        #expect(CapabilitySet([.netAdmin, .netRaw]).description == "CAP_NET_ADMIN CAP_NET_RAW")
        #expect(CapabilitySet([]).description == "none")
        #expect(CapabilitySet(rawValue: 1 << 21 | 1 << 10).description == "0x0000000000200400")
        #expect(CapabilitySet([.netBindService, .netRaw]).description == "CAP_NET_BIND_SERVICE CAP_NET_RAW")
    }
}
