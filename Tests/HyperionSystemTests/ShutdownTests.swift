import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTestSupport

/// SIGINT/SIGTERM with connections open, on the real processes (issue 15): the client
/// drains like the server, a transfer in flight when the signal comes completes byte-exact,
/// and a second signal ends either program's drain at once. The drain timeouts here are
/// long (30 s), so a program that waits for them fails the test's much shorter limits.
@Suite(.serialized) struct ShutdownTests {
    let group = MultiThreadedEventLoopGroup.singleton
    static let longDrain = "[limits]\ndrain_timeout_ms = 30000\n"

    /// Before: the client closed its tunnels at once, and the transfer was cut short.
    @Test func clientDrainsOnSIGTERMSoATransferInFlightCompletesByteExact() async throws {
        try await TunnelFixture.with("client-drain") { fixture in
            let echo = try await LoopbackService.echo(group: group)
            let (localPort, _, client) = try await fixture.startForward(to: echo.localAddress!.port!, clientExtra: Self.longDrain)

            let payload = [UInt8].random(count: 4 * 1024 * 1024)
            let held = try await HeldConnection.open(port: localPort, group: group)
            try await held.send(payload[..<(payload.count / 2)])
            client.signal(SIGTERM)
            try await client.waitForOutput("draining 1 local connection(s)")
            // It accepts no new local connection...
            let refused = await connectionRefused(port: localPort)
            #expect(refused, "the client still accepts local connections after SIGTERM")
            // ...but the open one goes on: the second half is sent after the signal.
            try await held.send(payload[(payload.count / 2)...])
            let result = try await held.finish()
            #expect(sameBytes(result.received, payload), "the transfer in flight at SIGTERM")
            #expect(result.cleanEOF)
            // It exits once that connection is done, well before the 30 s drain timeout.
            let status = try await client.waitForExit(timeout: .seconds(10))
            #expect(status == 0, "client exit status \(String(describing: status)):\n\(client.output)")
            try await echo.close()
        }
    }

    /// Before: the client had no drain to end (it did not wait for "draining" at all).
    @Test func aSecondSignalEndsTheClientsDrainAtOnce() async throws {
        try await TunnelFixture.with("client-cut") { fixture in
            let echo = try await LoopbackService.echo(group: group)
            let (localPort, _, client) = try await fixture.startForward(to: echo.localAddress!.port!, clientExtra: Self.longDrain)
            let held = try await HeldConnection.open(port: localPort, group: group)
            try await held.send([1, 2, 3])
            _ = try await eventually(timeout: .seconds(10)) { try await held.receivedCount == 3 }

            client.signal(SIGTERM)
            try await client.waitForOutput("draining 1 local connection(s)")
            client.signal(SIGINT)
            let status = try await client.waitForExit(timeout: .seconds(10))
            #expect(status == 0, "client exit status \(String(describing: status)):\n\(client.output)")
            #expect(client.output.contains("received SIGINT again: ending the drain now"), "\(client.output)")
            let result = try await held.finish(timeout: .seconds(5))
            #expect(result.received == [1, 2, 3])
            try await echo.close()
        }
    }

    /// Before: a second SIGTERM was ignored (the drain ran its full time) and a second
    /// SIGINT killed the server by its default action.
    @Test func aSecondSignalEndsTheServersDrainAtOnce() async throws {
        try await TunnelFixture.with("server-cut") { fixture in
            let echo = try await LoopbackService.echo(group: group)
            let (localPort, server, _) = try await fixture.startForward(to: echo.localAddress!.port!, serverExtra: Self.longDrain)
            let held = try await HeldConnection.open(port: localPort, group: group)
            try await held.send([1, 2, 3])
            _ = try await eventually(timeout: .seconds(10)) { try await held.receivedCount == 3 }

            server.signal(SIGTERM)
            try await server.waitForOutput("shutting down")
            try await Task.sleep(for: .milliseconds(300))
            #expect(server.isRunning, "the server should be draining the open stream")
            server.signal(SIGTERM)
            let status = try await server.waitForExit(timeout: .seconds(10))
            #expect(status == 0, "server exit status \(String(describing: status)):\n\(server.output)")
            #expect(server.output.contains("received SIGTERM again: ending the drain now"), "\(server.output)")
            #expect(server.output.contains("drain ended early: closing"), "\(server.output)")
            _ = try? await held.finish(timeout: .seconds(5))
            try await echo.close()
        }
    }

    /// Whether a connect to `port` is refused (no listener).
    private func connectionRefused(port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: group).connectTimeout(.seconds(2)).connect(host: "127.0.0.1", port: port).get()
            try? await channel.close()
            return false
        } catch {
            return "\(error)".contains("refused")
        }
    }
}
