import Testing
@testable import HyperionConfig

/// `[socks] listen` and `run -D` (issue 19, item 3).
@Suite struct SocksConfigTests {
    func config(_ extra: String) throws -> ClientConfig {
        try ClientConfig.parse(text: Fixtures.client(extra: extra), path: "client.toml")
    }

    @Test func listenDefaultsToLoopbackWhenOnlyAPortIsGiven() throws {
        #expect(try config("").socksListen == nil)
        #expect(try config("[socks]\nlisten = \"1080\"").socksListen?.description == "127.0.0.1:1080")
        #expect(try config("[socks]\nlisten = \"[::1]:1081\"").socksListen?.description == "[::1]:1081")
        let flagged = try config("").settingSocks("9050")
        #expect(flagged.socksListen?.description == "127.0.0.1:9050")
        #expect(try config("[socks]\nlisten = \"1080\"").settingSocks("127.0.0.2:1090").socksListen?.description == "127.0.0.2:1090", "-D wins")
    }

    @Test func badValuesAndClashesAreRefused() throws {
        expectConfigError(.unknownKey, mentioning: ["[socks]", "port"]) { try config("[socks]\nport = 1080") }
        expectConfigError(.missingKey, mentioning: ["listen"]) { try config("[socks]") }
        expectConfigError(.invalidValue, mentioning: ["listen", "1080"]) { try config("[socks]\nlisten = \"localhost:1080\"") }
        // Fixtures.client forwards 127.0.0.1:2201.
        expectConfigError(.duplicate, mentioning: ["[socks] listen", "2201"]) { try config("[socks]\nlisten = \"2201\"") }
        expectConfigError(.duplicate, mentioning: ["-D \"2201\"", "2201"]) { try config("").settingSocks("2201") }
        expectConfigError(.invalidValue, mentioning: ["-D \"x:y\""]) { try config("").settingSocks("x:y") }
    }
}
