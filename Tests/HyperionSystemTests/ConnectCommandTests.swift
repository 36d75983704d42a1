import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTestSupport

/// `hyperion-client connect` as ssh's ProxyCommand uses it (issue 19, item 1), as the test
/// user: bytes through standard input and output, the end of input passed on as a
/// half-close, and each refusal with its own exit status and reason on stderr.
@Suite(.serialized) struct ConnectCommandTests {
    let group = MultiThreadedEventLoopGroup.singleton

    /// Runs `connect` with `input` on stdin (from a file, so the end of input is real EOF)
    /// and returns its status, stdout and stderr.
    func connect(_ fixture: TunnelFixture, config: String, server: String, port: Int, input: [UInt8]) async throws -> (status: Int32, output: [UInt8], log: String) {
        let tag = UUID().uuidString.prefix(6)
        let inPath = "\(fixture.directory)/in-\(tag)", outPath = "\(fixture.directory)/out-\(tag)", errPath = "\(fixture.directory)/err-\(tag)"
        try Data(input).write(to: URL(fileURLWithPath: inPath))
        try TestUser.own(inPath)
        // Through pipes, as ssh gives a proxy command (a plain file cannot be polled).
        let script = "cat \"$4\" | { \"$0\" connect --config \"$1\" \"$2\" \"$3\" 2> \"$6\"; echo $? > \"$6.status\"; } | cat > \"$5\""
        let result = try await runCommand(
            "/bin/sh", ["-c", script, TestUser.binaryDirectory + "/hyperion-client", config, server, "\(port)", inPath, outPath, errPath],
            environment: fixture.environment, timeout: .seconds(60)
        )
        let output = (try? Data(contentsOf: URL(fileURLWithPath: outPath))).map { [UInt8]($0) } ?? []
        let log = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        let status = (try? String(contentsOfFile: errPath + ".status", encoding: .utf8)).flatMap { Int32($0.filter(\.isNumber)) }
        #expect(result.status == 0, "the shell around connect: \(result.output)")
        return (status ?? -1, output, log + result.output)
    }

    /// The reverse service answers only after our end of input reached it as a FIN, and
    /// then closes: `connect` must pass the half-close on, deliver every byte, and exit 0.
    @Test func endOfInputIsAHalfCloseAndEveryByteComesBack() async throws {
        try await TunnelFixture.with("connect-halfclose") { fixture in
            let reverse = try await LoopbackService.reverse(group: group)
            let echo = try await LoopbackService.echo(group: group)
            let tunnelPort = try TunnelFixture.freePort()
            _ = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [reverse.localAddress!.port!, echo.localAddress!.port!]))
            let config = try fixture.clientConfig(servers: [("srvA", tunnelPort)], forwards: [])

            let payload = [UInt8].random(count: 3 * 1024 * 1024 + 17)
            let reversed = try await connect(fixture, config: config, server: "srvA", port: reverse.localAddress!.port!, input: payload)
            #expect(reversed.status == 0, "\(reversed.log)")
            let reversedExactly = sameBytes(reversed.output, Array(payload.reversed()))
            #expect(reversedExactly, "\(reversed.output.count) of \(payload.count) bytes, reversed")

            // By address and by NAME.hyperion too, through the echo service.
            for name in ["127.0.0.1", "SRVA.hyperion"] {
                let echoed = try await connect(fixture, config: config, server: name, port: echo.localAddress!.port!, input: payload)
                #expect(echoed.status == 0, "\(name): \(echoed.log)")
                let echoedExactly = sameBytes(echoed.output, payload)
                #expect(echoedExactly, "\(name): \(echoed.output.count) of \(payload.count) bytes")
            }
            try await reverse.close()
            try await echo.close()
        }
    }

    @Test func refusalsHaveTheirOwnExitStatusAndSayWhy() async throws {
        try await TunnelFixture.with("connect-refusals") { fixture in
            let closedPort = try TunnelFixture.freePort()   // allowed, but nothing listens there
            let tunnelPort = try TunnelFixture.freePort()
            _ = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [closedPort]))
            let deadTunnel = try TunnelFixture.freePort()   // no server at all
            let config = try fixture.clientConfig(
                servers: [("srvA", tunnelPort), ("gone", deadTunnel)], forwards: [], extra: "[limits]\nstream_wait_ms = 1500"
            )
            let cases: [(server: String, port: Int, status: Int32, says: String)] = [
                ("srvA", closedPort + 1 == tunnelPort ? closedPort + 2 : closedPort + 1, 3, "allow"),
                ("srvA", closedPort, 4, "could not reach 127.0.0.1"),
                ("gone", 22, 5, "no live tunnel to server gone"),
                ("nosuch", 22, 1, "no server \"nosuch\""),
            ]
            for item in cases {
                let result = try await connect(fixture, config: config, server: item.server, port: item.port, input: Array("hello".utf8))
                #expect(result.status == item.status, "\(item.server):\(item.port) exited \(result.status), expected \(item.status): \(result.log)")
                #expect(result.log.contains(item.says), "\(item.server):\(item.port): \(result.log)")
                #expect(result.output.isEmpty, "\(item.server):\(item.port) wrote \(result.output.count) bytes")
            }
        }
    }
}
