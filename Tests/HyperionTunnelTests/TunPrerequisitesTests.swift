import HyperionConfig
import Testing
@testable import HyperionTunnel

@Suite struct TunPrerequisitesTests {
    static func line(_ check: DoctorCheck) -> String {
        switch check.outcome {
        case let .passed(text): "ok \(check.name): \(text)"
        case let .failed(text): "FAIL \(check.name): \(text)"
        case let .warned(text): "WARN \(check.name): \(text)"
        case let .skipped(text): "- \(check.name): \(text)"
        }
    }

    static let rootStatus = "Name:\thyperion-client\nUid:\t0\t0\t0\t0\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n"
    static let userStatus = "Name:\thyperion-client\nCapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n"

    @Test func capEffIsReadAsHex() {
        #expect(TunPrerequisites.effectiveCapabilities(procStatus: Self.rootStatus) == 0x1ff_ffff_ffff)
        #expect(TunPrerequisites.effectiveCapabilities(procStatus: "CapEff:\t0000000000001000") == 0x1000)
        #expect(TunPrerequisites.effectiveCapabilities(procStatus: "CapPrm:\t0000000000001000") == nil)
        #expect(TunPrerequisites.effectiveCapabilities(procStatus: "CapEff:\tzz") == nil)
        #expect(TunPrerequisites.effectiveCapabilities(procStatus: "CapEff:\t00000000000000000001") == nil)
    }

    @Test func capabilityNamesTheFixForAnOrdinaryUser() {
        var facts = TunHostFacts()
        facts.procStatus = Self.userStatus
        facts.effectiveUID = 1000
        facts.executable = "/opt/hyperion/bin/hyperion-client"
        #expect(Self.line(TunPrerequisites.capability(facts))
            == "FAIL capability: no CAP_NET_ADMIN: `tun` cannot create the device. Fix: run it as root (sudo), or give the binary the capability once: sudo setcap cap_net_admin+ep /opt/hyperion/bin/hyperion-client")
        // With the file capability, the same user passes.
        facts.procStatus = "CapEff:\t0000000000001000\n"
        #expect(Self.line(TunPrerequisites.capability(facts)) == "ok capability: CAP_NET_ADMIN is effective (file or ambient capability)")
    }

    @Test func rootIsNotEnoughWithoutTheCapability() {
        var facts = TunHostFacts()
        facts.procStatus = "CapEff:\t00000000a80425fb\n"  // Docker's default set: no bit 12
        facts.effectiveUID = 0
        #expect(Self.line(TunPrerequisites.capability(facts)).hasPrefix("FAIL capability: root, but CAP_NET_ADMIN is not effective"))
        facts.procStatus = Self.rootStatus
        #expect(Self.line(TunPrerequisites.capability(facts)) == "ok capability: CAP_NET_ADMIN is effective (root)")
        facts.procStatus = nil
        #expect(Self.line(TunPrerequisites.capability(facts)).hasPrefix("- capability:"))
    }

    @Test func theFastPathWantsCapBPFAndTCX() {
        var facts = TunHostFacts()
        facts.executable = "/usr/bin/hyperion-client"
        facts.kernelRelease = "6.18.44-fc-v1300"
        facts.procStatus = Self.rootStatus
        #expect(Self.line(TunPrerequisites.fastPath(facts, enabled: true)) == "ok fast path: CAP_BPF is effective: established flows can skip the TUN")
        // CAP_NET_ADMIN alone (a file capability): TUN mode works, the fast path cannot load.
        facts.procStatus = "CapEff:\t0000000000001000\n"
        #expect(Self.line(TunPrerequisites.fastPath(facts, enabled: true))
            == "WARN fast path: no CAP_BPF: TUN mode works, but every packet takes the TUN, which is slower. Fix: run it as root, or give the binary both capabilities: sudo setcap cap_net_admin,cap_bpf+ep /usr/bin/hyperion-client")
        facts.procStatus = "CapEff:\t0000008000001000\n"  // CAP_BPF, bit 39
        #expect(Self.line(TunPrerequisites.fastPath(facts, enabled: true)).hasPrefix("ok fast path:"))
        facts.kernelRelease = "6.1.0-27-amd64"
        #expect(Self.line(TunPrerequisites.fastPath(facts, enabled: true)).hasPrefix("WARN fast path: Linux 6.1.0-27-amd64 has no TCX (6.6 and later)"))
        #expect(Self.line(TunPrerequisites.fastPath(facts, enabled: false)) == "- fast path: off in [tun] (fast_path = false)")
        #expect(TunPrerequisites.kernelVersion("6.6").map { $0 == (6, 6) } == true)
        #expect(TunPrerequisites.kernelVersion("5.15.0-91-generic").map { $0 == (5, 15) } == true)
        #expect(TunPrerequisites.kernelVersion("linux") == nil)
    }

    @Test func eachDeviceNodeProblemHasItsFix() {
        #expect(Self.line(TunPrerequisites.device(.opened)) == "ok device: /dev/net/tun opens read-write")
        #expect(Self.line(TunPrerequisites.device(.missing)).hasPrefix("FAIL device: /dev/net/tun does not exist. Fix: load the driver (modprobe tun); in a container, pass the device (docker/podman run --device /dev/net/tun"))
        #expect(Self.line(TunPrerequisites.device(.noDriver)).contains("Fix: modprobe tun"))
        #expect(Self.line(TunPrerequisites.device(.denied)).contains("permission denied). Fix: run as root"))
    }

    static func rpFilter(all: Int, _ interfaces: [String: Int]) -> String {
        var facts = TunHostFacts()
        facts.rpFilterAll = all
        facts.rpFilterInterfaces = interfaces
        return line(TunPrerequisites.rpFilter(facts, device: "hyperion0"))
    }

    @Test func rpFilterMayBeStrictOnTheTunButNotOnTheWayToTheServers() {
        // The TUN itself and lo do not count: strict there was checked to work.
        #expect(Self.rpFilter(all: 0, ["lo": 1, "hyperion0": 1, "eth0": 0]) == "ok rp_filter: all=0, no interface strict (hyperion0 may be)")
        #expect(Self.rpFilter(all: 2, ["eth0": 1]) == "ok rp_filter: all=2, no interface strict (hyperion0 may be)")
        #expect(Self.rpFilter(all: 1, ["eth0": 2]) == "ok rp_filter: all=1, no interface strict (hyperion0 may be)")
        #expect(Self.rpFilter(all: 0, [:]) == "ok rp_filter: all=0, no interface strict (hyperion0 may be)")
    }

    @Test func strictEverywhereFailsWithOneSysctl() {
        #expect(Self.rpFilter(all: 1, ["lo": 0, "eth0": 0, "hyperion0": 1])
            == "FAIL rp_filter: strict reverse-path filtering (all=1, eth0=0) drops the servers' answers to the tunnel's connections: print-routes routes each server's address into hyperion0, so they look misrouted. Fix: sysctl -w net.ipv4.conf.all.rp_filter=2 (loose; add it to /etc/sysctl.d to keep it)")
        #expect(Self.rpFilter(all: 0, ["eth0": 1, "eth1": 1]).hasSuffix("Fix: sysctl -w net.ipv4.conf.eth0.rp_filter=2 net.ipv4.conf.eth1.rp_filter=2 (loose; add it to /etc/sysctl.d to keep it)"))
    }

    @Test func strictOnSomeInterfacesIsAWarningNamingThem() {
        #expect(Self.rpFilter(all: 0, ["eth0": 0, "docker0": 1]).hasPrefix("WARN rp_filter: if the servers are reached through docker0, strict reverse-path filtering (all=0, docker0=1)"))
        #expect(Self.rpFilter(all: 0, ["eth0": 0, "docker0": 1]).hasSuffix("Fix: sysctl -w net.ipv4.conf.docker0.rp_filter=2 (loose; add it to /etc/sysctl.d to keep it)"))
        var facts = TunHostFacts()
        facts.rpFilterInterfaces = ["eth0": 1]
        #expect(Self.line(TunPrerequisites.rpFilter(facts, device: "hyperion0")).hasPrefix("- rp_filter:"))
    }

    @Test func missingOrUnreadableToolsAreSkippedNotFailed() {
        var facts = TunHostFacts()
        facts.procStatus = Self.rootStatus
        facts.rpFilterAll = 0
        facts.nft = .failed("Operation not permitted")
        let report = TunPrerequisites.report(TunSection(), facts: facts)
        #expect(report.passed)
        let lines = report.checks.map(Self.line)
        #expect(lines.contains("- nftables: nft list ruleset failed (Operation not permitted): not checked; run doctor as root to check it"), "\(lines)")
        #expect(lines.contains("- iptables: iptables-save not installed: not checked"), "\(lines)")
        #expect(lines.contains("- ip6tables: ip6tables-save not installed: not checked"), "\(lines)")
    }

    @Test func iptablesNftRulesAreLeftToTheNftCheck() {
        var facts = TunHostFacts()
        facts.nft = .output("{\"nftables\": []}")
        facts.iptablesSave = .output(IptablesInputPolicyTests.save(policy: "DROP", rules: [], header: "# Generated by iptables-nft-save v1.8.9 (nf_tables)"))
        facts.ip6tablesSave = .output(IptablesInputPolicyTests.save(policy: "DROP", rules: []))
        let lines = TunPrerequisites.iptables(facts, tun: TunSection()).map(Self.line)
        #expect(lines == [
            "- iptables: iptables uses nftables here: its rules were checked above",
            "WARN ip6tables: INPUT drops new connections arriving on hyperion0 (policy DROP): TUN mode's listener would never see them. Fix: ip6tables -I INPUT -i hyperion0 -j ACCEPT",
        ])
    }

    @Test func aWarningIsShownButTheReportPasses() {
        let report = DoctorReport(server: "tun", address: "hyperion0", checks: [DoctorCheck(name: "nftables", outcome: .warned("x. Fix: y"))])
        #expect(report.passed)
        #expect(Doctor.render(report) == "tun (hyperion0): OK\n  WARN nftables   x. Fix: y")
        let failing = DoctorReport(server: "tun", address: "hyperion0", checks: [TunPrerequisites.device(.missing)])
        #expect(!failing.passed)
        #expect(Doctor.render(failing).hasPrefix("tun (hyperion0): FAILED\n  FAIL device     /dev/net/tun does not exist"))
    }
}
