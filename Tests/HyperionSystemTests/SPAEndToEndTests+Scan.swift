import Testing
@testable import HyperionTestSupport

extension SPAEndToEndTests {
    /// What an attacker's scan of the server shows without a knock: nothing open, not even
    /// a reset that would betray a closed port. Checked with a connect sweep (no extra
    /// tools) and with an nmap SYN scan; after the admin knocks, the same nmap from the
    /// admin does see the port, so the scan would notice an open one.
    @Test func aScanFromTheAttackerFindsNoOpenPortWhileTheKnockedAdminFindsTheTunnel() async throws {
        try await SPATestbed.run("scan") { bed in
            _ = try await bed.startServer(config: bed.writeServerConfig())
            let ports = Array(1...1024) + [Self.port]
            for family in AddressFamily.allCases {
                let sweep = try await TCPProbe.outcomes(from: bed.attacker, to: bed.server.address(family), ports: ports)
                let answered = sweep.filter { $0.value != .filtered }.map { "\($0.key): \($0.value)" }.sorted()
                #expect(answered == [], "\(family) connect sweep: every port must time out")
            }

            guard TestEnvironment.require(SystemTool.path("nmap") != nil, "nmap (scripts/install-deps test installs it)") else { return }
            for family in AddressFamily.allCases {
                let scan = try await PortScan.synScan(from: bed.attacker, target: bed.server.address(family), family: family, ports: "1-1024,\(Self.port)")
                #expect(scan.openPorts == [], "\(family) scan:\n\(scan.output)")
                #expect(scan.output.contains("1025 filtered"), "\(family) scan:\n\(scan.output)")
            }

            // The admin knocks (doctor knocks, connects and hangs up) and is let in.
            let doctor = try await bed.doctor(config: bed.writeClientConfig(family: .v4))
            #expect(doctor.status == 0, "doctor:\n\(doctor.output)")
            let adminScan = try await PortScan.synScan(from: bed.admin, target: bed.server.v4, family: .v4, ports: "\(Self.port)")
            #expect(adminScan.openPorts == [Self.port], "admin scan after the knock:\n\(adminScan.output)")
            let attackerScan = try await PortScan.synScan(from: bed.attacker, target: bed.server.v4, family: .v4, ports: "\(Self.port)")
            #expect(attackerScan.openPorts == [], "attacker scan after the admin's knock:\n\(attackerScan.output)")
        }
    }
}
