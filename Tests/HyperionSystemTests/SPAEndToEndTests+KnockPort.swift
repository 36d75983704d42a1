import Testing
@testable import HyperionTestSupport

extension SPAEndToEndTests {
    /// `knock_port` apart from the tunnel port, on both sides: knocks count only there.
    /// A client that knocks the tunnel port's number instead stays outside.
    @Test func knocksCountOnlyOnAConfiguredKnockPort() async throws {
        let knockPort = 62201
        try await SPATestbed.run("knock-port") { bed in
            let server = try await bed.startServer(config: bed.writeServerConfig(knockPort: knockPort))
            try await bed.startEchoService()
            #expect(server.output.contains("knocks on UDP port \(knockPort) open TCP port \(Self.port)"), "server log:\n\(server.output)")

            let misdirected = try await bed.doctor(config: bed.writeClientConfig(name: "tunnel-port.toml", family: .v6))
            #expect(misdirected.status != 0)
            #expect(misdirected.output.contains("knock sent, port still closed"), "doctor:\n\(misdirected.output)")
            #expect(try await KnockSetListing.addresses(in: .v6, on: bed.server) == [])

            _ = try await bed.startClient(config: bed.writeClientConfig(family: .v6, knockPort: knockPort))
            let payload = [UInt8].random(count: 65_536)
            #expect(sameBytes(try await bed.exchangeThroughForward(payload), payload))
            #expect(try await KnockSetListing.addresses(in: .v6, on: bed.server) == [bed.admin.v6])
        }
    }
}
