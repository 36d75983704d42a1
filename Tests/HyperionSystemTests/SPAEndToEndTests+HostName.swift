import Testing
@testable import HyperionTestSupport

extension SPAEndToEndTests {
    /// `addr` may be a DNS name, and a name may have an A and an AAAA record. The knock
    /// opens the port for one source address of one family, so it must go to the address
    /// the client then connects to, whichever family the resolver prefers: the system's
    /// default order (IPv6 first here) and the common gai.conf tweak that puts IPv4 first.
    @Test(arguments: [AddressFamily.v6, .v4])
    func aServerNamedByAHostNameWithBothFamiliesIsKnockedWhereTheClientConnects(preferred: AddressFamily) async throws {
        try await SPATestbed.run("hostname-\(preferred)") { bed in
            let name = "srv.hyperion.test"
            try bed.network.writeHostsFile(on: bed.admin, ["\(bed.server.v4) \(name)", "\(bed.server.v6) \(name)"])
            if preferred == .v4 {
                try bed.network.writeAddressPreference(on: bed.admin, ["precedence ::ffff:0:0/96 100"])
            }
            let server = try await bed.startServer(config: bed.writeServerConfig())
            try await bed.startEchoService()
            let client = try await bed.startClient(config: bed.writeClientConfig(family: preferred, address: "\(name):\(Self.port)"))
            let payload = [UInt8].random(count: 65_536)
            #expect(sameBytes(try await bed.exchangeThroughForward(payload), payload), "client log:\n\(client.output)\nserver log:\n\(server.output)")
            #expect(!client.output.contains("knock sent, port still closed"), "client log:\n\(client.output)")
            #expect(try await KnockSetListing.addresses(in: preferred, on: bed.server) == [bed.admin.address(preferred)], "server log:\n\(server.output)")
        }
    }
}
