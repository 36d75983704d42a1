import Testing
@testable import HyperionTestSupport

extension SPAEndToEndTests {
    /// The admin's real client knocks the server's address of one family and forwards a
    /// mebibyte byte-exact; the knock opens the port for that address alone.
    @Test(arguments: AddressFamily.allCases)
    func aKnockingAdminForwardsByteExactWhileTheAttackerStaysFiltered(family: AddressFamily) async throws {
        try await SPATestbed.run("forward-\(family)") { bed in
            let server = try await bed.startServer(config: bed.writeServerConfig())
            try await bed.startEchoService()
            let before = try await bed.tunnelPortOutcomes(from: [bed.admin, bed.attacker], [family])
            #expect(SPATestbed.mismatches(before, expected: .filtered) == [], "before the knock")

            let client = try await bed.startClient(config: bed.writeClientConfig(family: family))
            let payload = [UInt8].random(count: 1 << 20)
            let received = try await bed.exchangeThroughForward(payload)
            #expect(sameBytes(received, payload), "client log:\n\(client.output)")

            #expect(try await KnockSetListing.addresses(in: family, on: bed.server) == [bed.admin.address(family)])
            #expect(try await KnockSetListing.addresses(in: family.other, on: bed.server) == [])
            let after = try await bed.tunnelPortOutcomes(from: [bed.admin, bed.attacker])
            #expect(after == [
                "admin \(family)": .open, "admin \(family.other)": .filtered,
                "attacker IPv4": .filtered, "attacker IPv6": .filtered,
            ])
            #expect(server.output.contains("tunnel port opened for the source"), "server log:\n\(server.output)")
            #expect(server.output.contains("source=\(bed.admin.address(family))"), "server log:\n\(server.output)")
        }
    }
}
