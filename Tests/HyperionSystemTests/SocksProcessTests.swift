import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTestSupport

/// `run` with a SOCKS5 listener (issue 19, item 3), as the test user: a real client (curl)
/// through it byte-exact, and every reply code a CONNECT can get.
@Suite(.serialized) struct SocksProcessTests {
    let group = MultiThreadedEventLoopGroup.singleton

    func ask(_ fixture: TunnelFixture, socksPort: Int, host: String, port: Int, command: Int = 1) async throws -> String {
        // scripts/socks5_client.py: asks for `host:port` with `command` (1: CONNECT), and on
        // success sends a line; prints the reply code, then the echo. An application of the
        // admin's; the client it talks to runs as the test user.
        let script = TestEnvironment.repository + "/scripts/socks5_client.py"
        let result = try await runCommand(TestEnvironment.which("python3")!, [script, "\(socksPort)", host, "\(port)", "\(command)"], as: .runner)
        return result.output
    }

    @Test func curlFetchesThroughSocksAndEachRefusalHasItsCode() async throws {
        guard TestEnvironment.require(TestEnvironment.which("curl") != nil && TestEnvironment.which("python3") != nil, "curl and python3 (scripts/install-deps test)") else { return }
        try await TunnelFixture.with("socks") { fixture in
            // A web server with one file, on the server host's loopback.
            let site = fixture.directory + "/site"
            try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
            let body = [UInt8].random(count: 5 * 1024 * 1024)
            try Data(body).write(to: URL(fileURLWithPath: site + "/blob"))
            let httpPort = try TunnelFixture.freePort()
            let http = try ChildProcess(
                name: "http", executable: TestEnvironment.which("python3")!,
                arguments: ["-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory", site, "\(httpPort)"], directory: fixture.directory,
                user: .runner   // a service of the server host, not ours to run as the test user
            )
            fixture.adopt(http)
            let echo = try await LoopbackService.echo(group: group)
            let echoPort = echo.localAddress!.port!
            let closedPort = try TunnelFixture.freePort()
            let tunnelPort = try TunnelFixture.freePort()
            _ = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [httpPort, echoPort, closedPort]))
            let socksPort = try TunnelFixture.freePort()
            let config = try fixture.clientConfig(
                servers: [("srvA", tunnelPort), ("gone", try TunnelFixture.freePort())], forwards: [],
                extra: "[limits]\nstream_wait_ms = 1500\n\n[socks]\nlisten = \"127.0.0.1:\(socksPort)\""
            )
            _ = try await fixture.startClient(config: config)
            try await http.waitForOutput("Serving HTTP")

            for host in ["srvA.hyperion", "srvA"] {
                let fetched = fixture.directory + "/fetched-\(host)"
                let curl = try await runCommand(TestEnvironment.which("curl")!, [
                    "-sS", "--fail", "--max-time", "60", "--socks5-hostname", "127.0.0.1:\(socksPort)",
                    "-o", fetched, "http://\(host):\(httpPort)/blob",
                ], as: .runner)
                #expect(curl.status == 0, "\(host): \(curl.output)")
                let got = (try? Data(contentsOf: URL(fileURLWithPath: fetched))).map { [UInt8]($0) } ?? []
                let same = sameBytes(got, body)
                #expect(same, "\(host): \(got.count) of \(body.count) bytes")
            }

            let cases: [(host: String, port: Int, command: Int, expected: String)] = [
                ("SRVA.hyperion", echoPort, 1, "reply 0\necho through socks"),
                ("127.0.0.1", echoPort, 1, "reply 4"),  // both servers are at 127.0.0.1: ambiguous, so refused
                ("srvA", echoPort + 1 == httpPort ? echoPort + 2 : echoPort + 1, 1, "reply 2"),   // not allowed
                ("srvA", closedPort, 1, "reply 5"),   // allowed, nothing listens
                ("gone", 22, 1, "reply 3"),           // no tunnel to that server
                ("nosuch.example", 22, 1, "reply 4"), // not a configured server
                ("srvA", echoPort, 2, "reply 7"),     // BIND
            ]
            for item in cases {
                let output = try await ask(fixture, socksPort: socksPort, host: item.host, port: item.port, command: item.command)
                #expect(output.contains(item.expected), "\(item.host):\(item.port) command \(item.command): \(output)")
            }
            try await echo.close()
        }
    }
}
