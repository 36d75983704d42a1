import Testing
@testable import HyperionConfig

@Suite struct HyperionPathsTests {
    func paths(_ variables: [String: String]) throws -> HyperionPaths {
        try HyperionPaths.current(environment: { variables[$0] })
    }

    @Test func hyperionHomeWins() throws {
        let paths = try paths(["HYPERION_HOME": "/srv/hv", "XDG_CONFIG_HOME": "/x", "HOME": "/home/a"])
        #expect(paths.configDirectory == "/srv/hv")
        #expect(paths.serverConfig == "/srv/hv/server.toml")
        #expect(paths.clientConfig == "/srv/hv/client.toml")
    }

    @Test func thenXDGConfigHome() throws {
        #expect(try paths(["XDG_CONFIG_HOME": "/x", "HOME": "/home/a"]).configDirectory == "/x/hyperion")
        #expect(try paths(["HYPERION_HOME": "", "XDG_CONFIG_HOME": "/x"]).configDirectory == "/x/hyperion")
    }

    @Test func thenHome() throws {
        #expect(try paths(["HOME": "/home/a"]).configDirectory == "/home/a/.config/hyperion")
        #expect(try paths(["XDG_CONFIG_HOME": "", "HOME": "/home/a"]).clientConfig == "/home/a/.config/hyperion/client.toml")
    }

    @Test func withoutHomeFallsBackToThePasswordDatabase() throws {
        // Whoever runs the tests has a passwd entry with a home directory, or the error.
        do {
            let paths = try paths([:])
            #expect(paths.configDirectory.hasSuffix("/.config/hyperion"))
        } catch let error as ConfigError {
            #expect(error.message.contains("HYPERION_HOME"))
        }
    }

    @Test func processEnvironmentWorks() throws {
        _ = try HyperionPaths.current()
    }
}
