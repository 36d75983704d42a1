import Testing
@testable import HyperionTestSupport

extension SPAEndToEndTests {
    /// With knock enabled but no base firewall, the server must not start half-protected:
    /// it exits, says what is missing and which command prints the ruleset.
    @Test func theServerRefusesToStartWithoutTheFirewallAndNamesPrintFirewall() async throws {
        try await SPATestbed.run("no-firewall", firewall: false) { bed in
            let server = try bed.launchServer(config: bed.writeServerConfig())
            let status = try await server.waitForExit(timeout: .seconds(20))
            #expect(status != nil && status != 0, "exit status \(String(describing: status)):\n\(server.output)")
            #expect(server.output.contains("the nftables table inet hyperion does not exist"), "\(server.output)")
            #expect(server.output.contains("hyperion-server print-firewall --tunnel-port \(Self.port) | nft -f -"), "\(server.output)")
            #expect(!server.output.contains("listening"))
        }
    }
}
