import Foundation
import Testing
@testable import HyperionTestSupport

extension SPAEndToEndTests {
    /// Every way to get a knock wrong, sent from the attacker host: the admin's own knock
    /// replayed (captured off the admin's link), stale, from the future, sealed for another
    /// server, under another PSK, and tampered with. None opens the port; the server
    /// counts each under its reason in one summary line instead of a line per datagram.
    @Test func replayedStaleFutureForeignAndTamperedKnocksFromTheAttackerOpenNothing() async throws {
        guard TestEnvironment.require(TestEnvironment.goPeer != nil, "the Go peer (HYPERION_GO_PEER, built by interop/go-peer/build.sh) to forge knocks") else { return }
        try await SPATestbed.run("forged") { bed in
            // The refusal summary can take up to two 30 s intervals; the admin's element must
            // outlive that wait for the check at the end to mean "only the admin was let in".
            let server = try await bed.startServer(config: bed.writeServerConfig(ttlSeconds: 300))
            try await bed.startEchoService()
            let capture = try await KnockCapture.start(on: bed.admin, port: Self.port, directory: bed.files.directory)
            _ = try await bed.startClient(config: bed.writeClientConfig(family: .v4))
            let adminKnock = try await capture.knock()
            let payload = [UInt8].random(count: 65_536)
            #expect(sameBytes(try await bed.exchangeThroughForward(payload), payload), "the captured knock let the admin in")

            @discardableResult
            func goKnock(time: Int? = nil, serverPublicKey: String? = nil, presharedKey: String? = nil, send: Bool = true) async throws -> [UInt8] {
                try await GoPeerKnock.knock(
                    from: bed.attacker, to: send ? bed.server.endpoint(.v4, port: Self.port) : nil,
                    serverPublicKey: serverPublicKey ?? bed.serverPublicKey, presharedKey: presharedKey ?? bed.presharedKey,
                    tunnelPort: Self.port, unixTime: time
                )
            }
            // The replay goes to both of the server's addresses: both IP parsers must refuse it.
            for family in AddressFamily.allCases {
                try await UDPSender.send([adminKnock], from: bed.attacker, to: bed.server.address(family), port: Self.port)
            }
            let now = Int(Date().timeIntervalSince1970)
            try await goKnock(time: now - 120)
            try await goKnock(time: now + 120)
            try await goKnock(serverPublicKey: SPATestbed.strangerPublicKey())
            try await goKnock(presharedKey: SPATestbed.strangerPresharedKey())
            var tampered = try await goKnock(send: false)
            tampered[20] ^= 0x01  // one bit of the sealed time
            try await UDPSender.send([tampered], from: bed.attacker, to: bed.server.v4, port: Self.port)

            // The gate summarizes every 30 s, so the seven refusals show up within one or,
            // on a slow machine that crossed an interval's end meanwhile, two intervals.
            let summarized = try await eventually(timeout: .seconds(75), every: .milliseconds(500)) {
                RejectionSummary(log: server.output).refused >= 7
            }
            let summary = RejectionSummary(log: server.output)
            #expect(summarized, "no summary of the refusals:\n\(server.output)")
            #expect(summary.byReason == ["replayed": 2, "stale": 1, "from the future": 1, "authentication failed": 3], "server log:\n\(server.output)")
            #expect(summary.lines <= 2)
            #expect(server.output.occurrences(of: "stale") == 1, "refusals must not be logged one by one:\n\(server.output)")

            #expect(try await KnockSetListing.addresses(in: .v4, on: bed.server) == [bed.admin.v4])
            #expect(try await KnockSetListing.addresses(in: .v6, on: bed.server) == [])
            let outcomes = try await bed.tunnelPortOutcomes(from: [bed.attacker])
            #expect(SPATestbed.mismatches(outcomes, expected: .filtered) == [], "the attacker after its knocks")
        }
    }
}
