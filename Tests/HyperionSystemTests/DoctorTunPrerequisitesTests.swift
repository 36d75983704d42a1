import Foundation
import Testing
@testable import HyperionTestSupport

/// `doctor` with a `[tun]` section, run for real: the firewall check against a ruleset in a
/// network namespace of its own (root), and the whole TUN report as an ordinary user.
@Suite(.serialized) struct DoctorTunPrerequisitesTests {
    /// A client config with `[tun]` and one server nobody listens for: the server's report
    /// fails at once (refused), which these tests ignore; they read the `tun` report.
    static func tunConfig(_ fixture: TunnelFixture) throws -> String {
        let path = try fixture.clientConfig(servers: [("nobody-home", try TunnelFixture.freePort())], forwards: [])
        let text = try String(contentsOfFile: path, encoding: .utf8) + "\n[tun]\nname = \"hyperion0\"\n"
        return try fixture.write("tun-client.toml", text)
    }

    /// The lines of the `tun` report (its header and the checks under it).
    static func tunReport(_ output: String) -> [String] {
        let lines = output.split(separator: "\n").map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("tun (hyperion0): ") }) else { return [] }
        return [lines[start]] + lines[(start + 1)...].prefix { $0.hasPrefix("  ") }
    }

    /// A host firewall that drops input by policy, and strict reverse-path filtering, make
    /// doctor print the commands that fix them; run as printed, they do, and the checks
    /// pass. All inside a namespace, so the host's own ruleset and sysctls are never touched.
    @Test func aDroppingInputPolicyAndStrictRPFilterAreReportedWithFixesThatWork() async throws {
        guard TestEnvironment.require(TestEnvironment.isRoot, "root (a network namespace and nft)"),
              TestEnvironment.require(SystemTool.path("nft") != nil, "nft (nftables)") else { return }
        try await TunnelFixture.with("doctor-tun-nft") { fixture in
            let config = try Self.tunConfig(fixture)
            let namespace = "hyperion-doctor-\(getpid())"
            _ = try await runCommand(SystemTool.ip, ["netns", "add", namespace], as: .runner)
            defer { _ = try? Process.run(URL(fileURLWithPath: SystemTool.ip), arguments: ["netns", "delete", namespace]).waitUntilExit() }
            let host = NetworkHost(role: "doctor", namespace: namespace, v4: "", v6: "")
            let rules = try fixture.write("host-drop.nft", """
                table inet filter {
                    chain input {
                        type filter hook input priority filter; policy drop;
                        ct state established,related accept
                        iif "lo" accept
                        tcp dport 22 accept
                    }
                }
                """)
            try await host.check(["nft", "-f", rules])
            // Uplinks (a veth pair will do; not every kernel here has dummy) under strict
            // filtering everywhere.
            try await host.check(["ip", "link", "add", "uplink0", "type", "veth", "peer", "name", "uplink1"])
            try await host.check(["sysctl", "-w", "net.ipv4.conf.all.rp_filter=1"])
            let doctor = { try await host.run([TestEnvironment.client, "doctor", "--config", config], environment: fixture.environment) }

            let before = try await doctor()
            let report = Self.tunReport(before.output)
            let warning = try #require(report.first { $0.contains("WARN nftables") }, "doctor:\n\(before.output)")
            #expect(warning.contains("inet filter input drops new connections arriving on hyperion0 (IPv4 and IPv6) by its policy drop"), "\(warning)")
            let fix = try #require(warning.components(separatedBy: "Fix: ").last)
            #expect(fix == "nft insert rule inet filter input iifname \"hyperion0\" accept")
            let strict = try #require(report.first { $0.contains("FAIL rp_filter") }, "doctor:\n\(before.output)")
            #expect(strict.contains("strict reverse-path filtering (all=1, uplink0=0, uplink1=0)"), "\(strict)")
            let sysctl = try #require(strict.components(separatedBy: "Fix: ").last?.components(separatedBy: " (loose").first)
            #expect(sysctl == "sysctl -w net.ipv4.conf.all.rp_filter=2")
            #expect(report.first == "tun (hyperion0): FAILED", "doctor:\n\(before.output)")
            // As root in a fresh namespace, the rest of the report passes.
            #expect(report.contains { $0.hasPrefix("  ok   capability CAP_NET_ADMIN is effective (root)") }, "doctor:\n\(before.output)")
            #expect(report.contains("  ok   device     /dev/net/tun opens read-write"), "doctor:\n\(before.output)")
            #expect(report.contains { $0.hasPrefix("  ok   fast path  CAP_BPF is effective") }, "doctor:\n\(before.output)")

            try await host.check(["sh", "-c", fix])
            try await host.check(["sh", "-c", sysctl])
            let after = try await doctor()
            let fixed = Self.tunReport(after.output)
            #expect(fixed.first == "tun (hyperion0): OK", "doctor after the fixes:\n\(after.output)")
            #expect(fixed.contains { $0.hasPrefix("  ok   nftables   no input chain drops new connections on hyperion0") }, "doctor after the fixes:\n\(after.output)")
            #expect(fixed.contains("  ok   rp_filter  all=2, no interface strict (hyperion0 may be)"), "doctor after the fixes:\n\(after.output)")
            #expect(!after.output.contains("WARN"), "doctor after the fixes:\n\(after.output)")
        }
    }

    /// An ordinary user gets the TUN report, not a crash: no CAP_NET_ADMIN with the setcap
    /// fix for the real binary, and firewall listings it may not read said to be unchecked.
    @Test func anOrdinaryUserIsToldWhatIsMissing() async throws {
        guard TestEnvironment.require(!TestEnvironment.isRoot || TestUser.setpriv != nil, "setpriv, to run doctor as nobody") else { return }
        try await TunnelFixture.with("doctor-tun-user") { fixture in
            let config = try Self.tunConfig(fixture)
            let result = try await fixture.doctor(config: config)
            let report = Self.tunReport(result.output)
            #expect(result.status != 0, "doctor as \(TestUser.description):\n\(result.output)")
            #expect(report.first == "tun (hyperion0): FAILED", "doctor as \(TestUser.description):\n\(result.output)")
            let executable = URL(fileURLWithPath: TestEnvironment.client).resolvingSymlinksInPath().path
            #expect(report.contains("  FAIL capability no CAP_NET_ADMIN: `tun` cannot create the device. Fix: run it as root (sudo), or give the binary the capability once: sudo setcap cap_net_admin+ep \(executable)"),
                    "doctor as \(TestUser.description):\n\(result.output)")
            #expect(report.contains { $0.contains(" rp_filter  ") }, "\(result.output)")
            #expect(report.contains { $0.hasPrefix("  WARN fast path  no CAP_BPF: TUN mode works, but every packet takes the TUN") }, "\(result.output)")
            if SystemTool.path("nft") != nil {
                #expect(report.contains { $0.hasPrefix("  -    nftables   nft list ruleset failed (") }, "\(result.output)")
            }
            #expect(result.output.contains("doctor: 2 of 2 report(s) failed: nobody-home, tun"), "\(result.output)")
        }
    }
}
