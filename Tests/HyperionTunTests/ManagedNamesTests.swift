#if os(Linux)
import Testing
@testable import HyperionTun

/// How the managed daemon routes `.hyperion` names (issue 18, item 6): resolvectl's
/// arguments, which CI cannot run against a live systemd-resolved.
@Suite struct ManagedNamesTests {
    @Test func resolvectlGetsTheDeviceTheServerAndTheRoutingDomain() {
        let link = ResolvedLink(device: "hyperion0", address: "10.99.0.1", zone: "hyperion")
        #expect(link.configureCommands == [["dns", "hyperion0", "10.99.0.1"], ["domain", "hyperion0", "~hyperion"]])
        #expect(link.revertCommands == [["revert", "hyperion0"]])
    }
}
#endif
