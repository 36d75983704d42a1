import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTestSupport

/// Many streams at once, and many in a row, between our binaries and the independent Go
/// peer (interop/go-peer: hashicorp/yamux), each way over one yamux session. The Go side
/// drives the load (`hyperion-go-peer load`) and checks every echo byte for byte; each of
/// its phases is bounded in count and in time.
@Suite(.serialized) struct InteropConcurrencyTests {
    let group = MultiThreadedEventLoopGroup.singleton

    /// 256 goroutines open a stream each, at once, over one session against our server.
    /// hashicorp/yamux takes ids under a lock but sends each SYN from its own goroutine, so
    /// SYNs arrive in any order; `--hold-first-syn` keeps stream 1 back until the other 255
    /// SYNs left, so at least one SYN certainly names a lower id than one before it. Our
    /// server used to end the session there ("stream ids must increase").
    @Test func goClientOpens256StreamsAtOnceAgainstOurServer() async throws {
        guard TestEnvironment.require(TestEnvironment.goPeer != nil, "the Go peer (HYPERION_GO_PEER, built by interop/go-peer/build.sh)") else { return }
        try await TunnelFixture.with("interop-concurrent-server") { fixture in
            let (server, output) = try await self.loadAgainstOurServer(fixture, ["--concurrent", "256", "--churn", "0", "--hold-first-syn"])
            #expect(output.contains("load: concurrent: 256 streams opened at once, all 256 open together"), "\(output)")
            let late = try #require(Self.lateSYNs(in: output), "\(output)")
            #expect(late >= 1, "no SYN arrived out of order, so this test proved nothing:\n\(output)")
            #expect(server.isRunning)
            #expect(!server.output.contains("refused"), "the default limits must take 256 streams at once:\n\(server.output)")
        }
    }

    /// 10,000 short streams (open, port, echo, close), 16 at a time, over one session
    /// against our server: ids come and go, the stream table must not leak or clog.
    @Test func goClientChurns10000StreamsAgainstOurServer() async throws {
        guard TestEnvironment.require(TestEnvironment.goPeer != nil, "the Go peer (HYPERION_GO_PEER, built by interop/go-peer/build.sh)") else { return }
        try await TunnelFixture.with("interop-churn-server") { fixture in
            let (server, output) = try await self.loadAgainstOurServer(fixture, ["--concurrent", "0", "--churn", "10000", "--churn-parallel", "16"])
            #expect(output.contains("load: churn: 10000 short streams opened, echoed byte-exact and closed"), "\(output)")
            #expect(server.isRunning)
            #expect(!server.output.contains("refused"), "\(server.output)")
        }
    }

    /// The other way: 256 local connections at once through one forward of our client
    /// (pool_size 1, so one session) to the Go server, which takes them with hashicorp's
    /// accept backlog of 256 unacknowledged streams.
    @Test func ourClientCarries256ConcurrentConnectionsThroughTheGoServer() async throws {
        guard TestEnvironment.require(TestEnvironment.goPeer != nil, "the Go peer (HYPERION_GO_PEER, built by interop/go-peer/build.sh)") else { return }
        try await TunnelFixture.with("interop-concurrent-client") { fixture in
            let (client, output) = try await self.loadThroughOurClient(fixture, ["--concurrent", "256", "--churn", "0"])
            #expect(output.contains("load: concurrent: 256 streams opened at once, all 256 open together"), "\(output)")
            #expect(client.isRunning)
            #expect(!client.output.contains("closing local connection"), "\(client.output)")
        }
    }

    /// 10,000 short local connections, 16 at a time, through one forward of our client to
    /// the Go server, over one session.
    @Test func ourClientChurns10000ConnectionsThroughTheGoServer() async throws {
        guard TestEnvironment.require(TestEnvironment.goPeer != nil, "the Go peer (HYPERION_GO_PEER, built by interop/go-peer/build.sh)") else { return }
        try await TunnelFixture.with("interop-churn-client") { fixture in
            let (client, output) = try await self.loadThroughOurClient(fixture, ["--concurrent", "0", "--churn", "10000", "--churn-parallel", "16"])
            #expect(output.contains("load: churn: 10000 short streams opened, echoed byte-exact and closed"), "\(output)")
            #expect(client.isRunning)
            #expect(!client.output.contains("closing local connection"), "\(client.output)")
        }
    }

    /// At `max_streams_per_connection` our server refuses streams, and says so at the
    /// default log level (notice): the first refusal at once, then summaries, never two
    /// lines in the same second. It used to log them at debug only.
    @Test func ourServerLogsRefusalsAtItsLimitAtMostOnceASecond() async throws {
        guard TestEnvironment.require(TestEnvironment.goPeer != nil, "the Go peer (HYPERION_GO_PEER, built by interop/go-peer/build.sh)") else { return }
        try await TunnelFixture.with("interop-refusals") { fixture in
            try await self.withEchoService { echoPort in
                let tunnelPort = try TunnelFixture.freePort()
                let server = try await fixture.startServer(
                    config: fixture.serverConfig(port: tunnelPort, allow: [echoPort], extra: "[limits]\nmax_streams_per_connection = 64"),
                    environment: ["HYPERION_LOG": "notice"]
                )
                let load = try await runCommand(
                    TestEnvironment.goPeer!,
                    [
                        "load", "--server", "127.0.0.1:\(tunnelPort)", "--server-pubkey", fixture.serverKey.publicKey.base64,
                        "--key-file", fixture.adminKeyPath, "--psk-env", TunnelFixture.pskVariable, "--port", "\(echoPort)",
                        "--concurrent", "256", "--churn", "0", "--timeout", "10s", "--stream-timeout", "5s",
                    ],
                    environment: fixture.environment, timeout: .seconds(30)
                )
                #expect(load.status != 0, "256 streams at once cannot all fit under a limit of 64:\n\(load.output)")
                let summarized = try await eventually(timeout: .seconds(5)) {
                    server.output.contains("streams opened by the peer in the last second: ")
                }
                #expect(summarized, "no summary of the refusals:\n\(server.output)")
                let lines = server.output.split(separator: "\n").filter { $0.contains("opened by the peer") }
                #expect(lines.first?.contains(" notice ") == true)
                #expect(lines.first?.contains("at the limit of 64 open streams per connection") == true, "\(server.output)")
                let seconds = lines.map { $0.prefix { $0 != " " } }
                #expect(Set(seconds).count == seconds.count, "two refusal lines in one second:\n\(lines.joined(separator: "\n"))")
            }
        }
    }

    // MARK: Set-ups

    /// Our server with its default limits, allowed to dial an echo service; the Go peer
    /// loads it over one session of its own. Returns the server and the load's output.
    private func loadAgainstOurServer(_ fixture: TunnelFixture, _ phases: [String]) async throws -> (ChildProcess, String) {
        try await self.withEchoService { echoPort in
            let tunnelPort = try TunnelFixture.freePort()
            let server = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [echoPort]))
            let tunnel = [
                "--server", "127.0.0.1:\(tunnelPort)", "--server-pubkey", fixture.serverKey.publicKey.base64,
                "--key-file", fixture.adminKeyPath, "--psk-env", TunnelFixture.pskVariable, "--port", "\(echoPort)",
            ]
            return (server, try await Self.load(fixture, tunnel, phases))
        }
    }

    /// The Go server, allowed to dial an echo service, and our client forwarding one local
    /// port to it over a single tunnel connection; the Go peer loads that local port with
    /// plain TCP. Returns the client and the load's output.
    private func loadThroughOurClient(_ fixture: TunnelFixture, _ phases: [String]) async throws -> (ChildProcess, String) {
        try await self.withEchoService { echoPort in
            let tunnelPort = try TunnelFixture.freePort()
            _ = try await fixture.startGoServer(port: tunnelPort, allow: [echoPort])
            let localPort = try TunnelFixture.freePort()
            let client = try await fixture.startClient(config: fixture.clientConfig(
                servers: [("go", tunnelPort)], forwards: [.init(localPort: localPort, server: "go", remotePort: echoPort)], poolSize: 1
            ))
            return (client, try await Self.load(fixture, ["--connect", "127.0.0.1:\(localPort)"], phases))
        }
    }

    /// Runs `body` with the port of an echo service in this process, closed afterwards.
    private func withEchoService<Result>(_ body: (Int) async throws -> Result) async throws -> Result {
        let echo = try await LoopbackService.echo(group: self.group)
        do {
            let result = try await body(echo.localAddress!.port!)
            try await echo.close()
            return result
        } catch {
            try? await echo.close()
            throw error
        }
    }

    /// Runs `hyperion-go-peer load`; throws with its output unless it succeeded. A phase
    /// stops starting exchanges at 40 s, an exchange fails after 10 s, the load gives up at
    /// 55 s and is killed at 60 s.
    private static func load(_ fixture: TunnelFixture, _ target: [String], _ phases: [String]) async throws -> String {
        let started = ContinuousClock.now
        let result = try await runCommand(
            TestEnvironment.goPeer!, ["load", "--timeout", "40s", "--stream-timeout", "10s"] + target + phases,
            environment: fixture.environment, timeout: .seconds(60)
        )
        print("hyperion-go-peer load \(phases.joined(separator: " ")) (\(target[0])): \(ContinuousClock.now - started)")
        guard result.status == 0 else {
            throw TestFailure("hyperion-go-peer load failed (status \(result.status)):\n\(result.output)")
        }
        return result.output
    }

    /// From "the session sent N SYNs, M of them after a SYN with a higher stream id": M.
    private static func lateSYNs(in output: String) -> Int? {
        guard let line = output.split(separator: "\n").first(where: { $0.contains("after a SYN with a higher stream id") }),
            let sent = line.range(of: "SYNs, ")
        else { return nil }
        return Int(line[sent.upperBound...].prefix { $0.isNumber })
    }
}
