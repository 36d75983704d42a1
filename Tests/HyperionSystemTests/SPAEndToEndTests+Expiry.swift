import Testing
@testable import HyperionTestSupport

extension SPAEndToEndTests {
    /// A knock opens the port for ttl_secs only. The tunnel made meanwhile outlives its set
    /// element through connection tracking; a new connection needs a new knock, which the
    /// client sends by itself when its tunnel is cut (here by restarting the server).
    @Test func theSetElementExpiresTheTunnelLivesOnAndANewConnectionIsKnockedForAgain() async throws {
        try await SPATestbed.run("expiry") { bed in
            let config = try bed.writeServerConfig(ttlSeconds: 4, cooldownSeconds: 1)
            let first = try await bed.startServer(config: config, name: "server-1")
            try await bed.startEchoService()
            let client = try await bed.startClient(config: bed.writeClientConfig(family: .v4, poolSize: 1))
            let payload = [UInt8].random(count: 65_536)
            #expect(sameBytes(try await bed.exchangeThroughForward(payload), payload))
            let listing = try await KnockSetListing.listing(of: .v4, on: bed.server)
            #expect(KnockSetListing.parse(listing) == [bed.admin.v4])
            #expect(listing.contains("timeout 4s"), "set: \(listing)")

            let expired = try await eventually(timeout: .seconds(8)) {
                try await KnockSetListing.addresses(in: .v4, on: bed.server).isEmpty
            }
            #expect(expired, "the element outlived its 4 s")

            // The established tunnel still carries new streams, over the same connection.
            #expect(sameBytes(try await bed.exchangeThroughForward(payload), payload), "client log:\n\(client.output)")
            #expect(client.output.occurrences(of: "tunnel connection closed") == 0)
            #expect(first.output.occurrences(of: "knock accepted") == 1, "server log:\n\(first.output)")
            // A new connection would need a new knock.
            #expect(try await TCPProbe.outcome(from: bed.admin, to: bed.server.v4, port: Self.port) == .filtered)

            // Cut the tunnel. The new server starts with empty sets, so only a fresh knock helps.
            await first.stop()
            let second = try await bed.startServer(config: config, name: "server-2")
            #expect(sameBytes(try await bed.exchangeThroughForward(payload), payload), "client log:\n\(client.output)")
            #expect(second.output.contains("tunnel port opened for the source"), "server log:\n\(second.output)")
            #expect(second.output.contains("source=\(bed.admin.v4)"))
            #expect(try await KnockSetListing.addresses(in: .v4, on: bed.server) == [bed.admin.v4])
            #expect(client.output.contains("tunnel up again"), "client log:\n\(client.output)")
        }
    }
}
