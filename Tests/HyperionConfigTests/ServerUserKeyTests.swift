import Testing
@testable import HyperionConfig

/// `[server] user`: optional, a name, and a config without a `[server]` table (every v1
/// config) parses exactly as before.
@Suite struct ServerUserKeyTests {
    @Test func absentByDefault() throws {
        #expect(try ServerConfig.parse(text: Fixtures.server(), path: "server.toml").server.user == nil)
        #expect(try ServerConfig.parse(text: Fixtures.server(extra: "[server]"), path: "server.toml").server.user == nil)
    }

    @Test(arguments: ["hyperion", "nobody", "_hyperion", "svc-tunnel.1", "a"])
    func acceptsAUserName(_ name: String) throws {
        let config = try ServerConfig.parse(text: Fixtures.server(extra: "[server]\nuser = \"\(name)\""), path: "server.toml")
        #expect(config.server.user == name)
    }

    @Test(arguments: ["", "-hyperion", "65534", "hyper ion", "root:x", "../etc", String(repeating: "a", count: 33), "hypérion"])
    func refusesWhatIsNotAUserName(_ name: String) {
        expectConfigError(.invalidValue, mentioning: ["server.toml", "user in [server]", "not a user name"]) {
            try ServerConfig.parse(text: Fixtures.server(extra: "[server]\nuser = \"\(name)\""), path: "server.toml")
        }
    }

    @Test func refusesAnUnknownKeyAndAWrongType() {
        expectConfigError(.unknownKey, mentioning: ["server.toml", "group"]) {
            try ServerConfig.parse(text: Fixtures.server(extra: "[server]\ngroup = \"x\""), path: "server.toml")
        }
        expectConfigError(.wrongType, mentioning: ["server.toml", "user"]) {
            try ServerConfig.parse(text: Fixtures.server(extra: "[server]\nuser = 65534"), path: "server.toml")
        }
    }
}
