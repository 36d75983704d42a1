import Testing
@testable import HyperionTestSupport

/// Single Packet Authorization end to end (PROTOCOL.md §7 and §8): the real
/// hyperion-server behind the base firewall it prints, the real hyperion-client knocking,
/// in a network of namespaces with a server, an admin and an attacker host.
///
/// Every test builds its own network (`SPATestbed`), so they run in parallel. They need
/// root; without it they skip with a message, and under CI=true that is a failure.
@Suite(.timeLimit(.minutes(2))) struct SPAEndToEndTests {
    static let port = SPATestbed.tunnelPort

    @Test func withoutAKnockTheTunnelPortIsFilteredForAdminAndAttackerOverBothFamilies() async throws {
        try await SPATestbed.run("filtered") { bed in
            _ = try await bed.startServer(config: bed.writeServerConfig())
            // The server does listen, on both families: what keeps the others out is the firewall.
            let local = try await [TCPProbe.outcome(from: bed.server, to: "127.0.0.1", port: Self.port),
                                   TCPProbe.outcome(from: bed.server, to: "::1", port: Self.port)]
            #expect(local == [.open, .open])
            // The probe tells a reset from a timeout: a closed port on a host without the firewall resets.
            #expect(try await TCPProbe.outcome(from: bed.attacker, to: bed.admin.v4, port: Self.port) == .refused)

            let outcomes = try await bed.tunnelPortOutcomes(from: [bed.admin, bed.attacker])
            #expect(outcomes.count == 4)
            #expect(SPATestbed.mismatches(outcomes, expected: .filtered) == [], "before any knock the tunnel port must time out")
            #expect(try await KnockSetListing.addresses(in: .v4, on: bed.server) == [])
            #expect(try await KnockSetListing.addresses(in: .v6, on: bed.server) == [])
        }
    }
}
