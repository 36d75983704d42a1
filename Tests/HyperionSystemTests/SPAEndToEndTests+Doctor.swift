import Testing
@testable import HyperionTestSupport

extension SPAEndToEndTests {
    /// When the server does not accept the client's knock, `doctor` says so in its own
    /// words ("knock sent, port still closed") and fails, instead of a generic timeout.
    @Test func doctorSaysKnockSentPortStillClosedWhenTheKnockIsNotAccepted() async throws {
        try await SPATestbed.run("doctor") { bed in
            _ = try await bed.startServer(config: bed.writeServerConfig())
            let good = try bed.writeClientConfig(family: .v4)
            let foreign = try bed.writeClientConfig(name: "foreign.toml", family: .v4, serverPublicKey: SPATestbed.strangerPublicKey())
            let cases = [("a wrong PSK", good, SPATestbed.strangerPresharedKey()), ("another server's key", foreign, bed.presharedKey)]
            for (what, config, presharedKey) in cases {
                let result = try await bed.doctor(config: config, presharedKey: presharedKey)
                #expect(result.status != 0, "doctor with \(what) must fail")
                #expect(result.output.contains("knock sent, port still closed"), "doctor with \(what):\n\(result.output)")
                #expect(result.output.contains("FAIL connect    timed out after the knock"), "doctor with \(what):\n\(result.output)")
                #expect(!result.output.contains("handshake failed") && !result.output.contains("handshake refused"),
                        "doctor with \(what) got past the firewall:\n\(result.output)")
            }
            #expect(try await KnockSetListing.addresses(in: .v4, on: bed.server) == [])

            // The right config passes: the diagnosis above was about the knock.
            let result = try await bed.doctor(config: good)
            #expect(result.status == 0, "doctor:\n\(result.output)")
            #expect(result.output.contains("srv (10.77.0.1:8443): OK"), "doctor:\n\(result.output)")
        }
    }
}
