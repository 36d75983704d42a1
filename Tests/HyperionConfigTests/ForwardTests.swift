import Testing
@testable import HyperionConfig

/// The `-L` form and its checks against a loaded client config.
@Suite struct ForwardTests {
    static let config: ClientConfig = {
        let text = Fixtures.client(servers: Fixtures.serverSrvA + "\n\n" + ClientConfigTests.srvB)
        return try! ClientConfig.parse(text: text, path: "client.toml")
    }()

    @Test(arguments: [
        ("2201:srvA:22", "127.0.0.1:2201", "srvA", 22),
        ("0.0.0.0:2202:srvB:5432", "0.0.0.0:2202", "srvB", 5432),
        ("[::1]:2203:srvA:80", "[::1]:2203", "srvA", 80),
        ("127.0.0.2:65535:db-1.internal:65535", "127.0.0.2:65535", "db-1.internal", 65535),
    ])
    func parsesAdHocForms(spec: String, local: String, server: String, remotePort: Int) throws {
        let forward = try Forward(adHoc: spec)
        #expect(forward.local.description == local)
        #expect(forward.server == server)
        #expect(forward.remotePort == UInt16(remotePort))
    }

    @Test(arguments: [
        ("2201:srvA", "2 fields"),
        ("srvA", "1 field"),
        ("x:srvA:22", "the local side \"x\""),
        ("localhost:2201:srvA:22", "\"localhost\""),
        ("2201:srvA:0", "the remote port \"0\""),
        ("2201:srvA:ssh", "the remote port \"ssh\""),
        ("70000:srvA:22", "\"70000\""),
        ("2201:sr vA:22", "\"sr vA\" is not a server name"),
        ("2201::22", "\"\" is not a server name"),
        ("[::1:2201:srvA:22", "without \"]\""),
        ("[127.0.0.1]:2201:srvA:22", "brackets"),
    ])
    func refusesMalformedSpecs(spec: String, fragment: String) {
        expectConfigError(.invalidValue, mentioning: ["-L \"\(spec)\"", fragment, "lport:server:rport"]) {
            try Forward(adHoc: spec)
        }
    }

    @Test func addsValidatedForwards() throws {
        let config = try Self.config.addingAdHocForwards(["2301:srvB:22", "[::1]:2301:srvA:22"])
        #expect(config.forwards.count == 3)
        #expect(config.forwards[1] == Forward(local: SocketAddress(ip: .loopbackV4, port: 2301), server: "srvB", remotePort: 22))
        #expect(config.forwards[2].local.description == "[::1]:2301")
        #expect(try Self.config.addingAdHocForwards([]) == Self.config)
    }

    @Test func refusesUnknownServer() {
        expectConfigError(.unknownServer, mentioning: ["client.toml", "-L \"2301:srvC:22\" names server \"srvC\"", "known: srvA, srvB"]) {
            try Self.config.addingAdHocForwards(["2301:srvC:22"])
        }
    }

    @Test func refusesPortTakenByTheConfig() {
        expectConfigError(.duplicate, mentioning: ["client.toml", "-L \"2201:srvB:80\"", "[[forward]] #1 (local 127.0.0.1:2201)", "port 2201"]) {
            try Self.config.addingAdHocForwards(["2201:srvB:80"])
        }
    }

    @Test func refusesPortTakenByAnotherAdHocForward() {
        expectConfigError(.duplicate, mentioning: ["-L \"0.0.0.0:2400:srvA:22\"", "-L \"2400:srvB:22\""]) {
            try Self.config.addingAdHocForwards(["2400:srvB:22", "0.0.0.0:2400:srvA:22"])
        }
    }
}
