import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTestSupport

/// A process out of file descriptors must neither spin nor stay silent, and must recover.
///
/// Each stream holds a descriptor on each end. Out of them, `accept` fails with EMFILE
/// while the connection stays queued, so the listening socket stays readable; a listener
/// without a pause retries at once, for ever: a core at 100 % and no log line.
@Suite(.serialized) struct DescriptorExhaustionTests {
    let group = MultiThreadedEventLoopGroup.singleton

    @Test func aClientOutOfDescriptorsPausesItsAcceptsLogsWhyAndRecovers() async throws {
        guard TestEnvironment.require(TestEnvironment.which("prlimit") != nil, "prlimit (util-linux)") else { return }
        try await TunnelFixture.with("emfile") { fixture in
            let echo = try await LoopbackService.echo(group: group)
            let echoPort = echo.localAddress!.port!
            let tunnelPort = try TunnelFixture.freePort()
            let localPort = try TunnelFixture.freePort()
            _ = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [echoPort]))
            let config = try fixture.clientConfig(
                servers: [("srvA", tunnelPort)], forwards: [.init(localPort: localPort, server: "srvA", remotePort: echoPort)]
            )
            // A hard limit of 48, so the client cannot raise it: a few dozen connections exhaust it.
            let client = try ChildProcess(
                name: "client", executable: TestEnvironment.which("prlimit")!,
                arguments: ["--nofile=48:48", "--", TestEnvironment.client, "run", "--config", config],
                environment: fixture.environment, directory: fixture.directory
            )
            fixture.adopt(client)
            try await client.waitForOutput("forwarding")

            var idle: [Channel] = []
            for _ in 0..<80 {
                idle.append(try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: localPort).get())
            }
            try await client.waitForOutput("cannot accept a connection on the forward")
            #expect(client.output.contains("out of file descriptors"), "the log names the cause")

            // Spinning would cost about a core: 2 s of CPU in 2 s. Paused, it costs almost nothing.
            let before = try cpuSeconds(of: client.pid)
            try await Task.sleep(for: .seconds(2))
            let spent = try cpuSeconds(of: client.pid) - before
            #expect(spent < 0.5, "the client spent \(spent) s of CPU in 2 s while out of descriptors; its log ends:\n\(client.output.split(separator: "\n").suffix(15).joined(separator: "\n"))")

            for channel in idle { try? await channel.close() }
            let result = try await StreamProbe.exchange(port: localPort, payload: Array("after".utf8), group: group, timeout: .seconds(20))
            #expect(String(decoding: result.received, as: UTF8.self) == "after", "the forward works again once descriptors are free")
            try await echo.close()
        }
    }

    /// utime + stime of a process, from /proc.
    private func cpuSeconds(of pid: pid_t) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name, which is in parentheses and may hold spaces.
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        let ticks = Double(fields[11])! + Double(fields[12])!
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
