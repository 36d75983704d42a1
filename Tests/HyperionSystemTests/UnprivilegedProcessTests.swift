import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTestSupport

/// The programs as an ordinary user uses them (issue 15): the fixture runs them as the test
/// user, `nobody` when the tests run as root. Each test first checks that the processes
/// really are that user, so none of them can pass by running as root.
///
/// Before the fixes of issue 15 the first two failed as any user but root (TCP_NODELAY
/// was set at SOL_SOCKET, which is SO_DEBUG and needs CAP_NET_ADMIN), and the third failed
/// for any user (the forward's "port in use" check bound without SO_REUSEADDR).
@Suite(.serialized) struct UnprivilegedProcessTests {
    let group = MultiThreadedEventLoopGroup.singleton

    @Test func doctorPassesAgainstALiveServer() async throws {
        try await TunnelFixture.with("unpriv-doctor") { fixture in
            let tunnelPort = try TunnelFixture.freePort()
            let server = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: []))
            try expectTestUser(server)
            let config = try fixture.clientConfig(servers: [("srvA", tunnelPort)], forwards: [])
            let doctor = try await fixture.doctor(config: config)
            #expect(doctor.status == 0, "doctor as \(TestUser.description):\n\(doctor.output)")
            #expect(doctor.output.contains("srvA (127.0.0.1:\(tunnelPort)): OK"), "\(doctor.output)")
            try await server.waitForOutput("admin connected")
        }
    }

    @Test func aForwardEchoesMegabytesByteExactBothWays() async throws {
        try await TunnelFixture.with("unpriv-echo") { fixture in
            let echo = try await LoopbackService.echo(group: group)
            let (localPort, server, client) = try await fixture.startForward(to: echo.localAddress!.port!)
            try expectTestUser(server)
            try expectTestUser(client)
            // Sent and echoed at the same time: 6 MB up and 6 MB down on each of two streams.
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for index in 0..<2 {
                    tasks.addTask {
                        let payload = [UInt8].random(count: 6 * 1024 * 1024 + index)
                        let result = try await StreamProbe.exchange(port: localPort, payload: payload, group: group)
                        #expect(sameBytes(result.received, payload), "stream \(index)")
                        #expect(result.cleanEOF, "stream \(index) ended with EOF")
                    }
                }
                try await tasks.waitForAll()
            }
            try await echo.close()
        }
    }

    /// The client itself closed the local connections (the service ended them first), so
    /// its side of each is in TIME-WAIT on the forward port. A new client must bind that
    /// port at once, and forward.
    @Test func aRestartedClientRebindsItsForwardPortAtOnceDespiteTimeWait() async throws {
        try await TunnelFixture.with("unpriv-rebind") { fixture in
            let greeting = Array("hello from the service\n".utf8)
            let greeter = try await LoopbackService.greeter(greeting, group: group)
            let servicePort = greeter.localAddress!.port!
            let tunnelPort = try TunnelFixture.freePort()
            let localPort = try TunnelFixture.freePort()
            _ = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [servicePort]))
            let config = try fixture.clientConfig(
                servers: [("srvA", tunnelPort)], forwards: [.init(localPort: localPort, server: "srvA", remotePort: servicePort)]
            )
            let first = try await fixture.startClient(config: config, name: "client-1")
            try expectTestUser(first)
            for index in 0..<10 {
                // The local app sends nothing and closes only at EOF: the client's FIN comes
                // first, so the TIME-WAIT is on the client's side.
                let result = try await HeldConnection.open(port: localPort, group: group).finish(halfClose: false)
                #expect(result.received == greeting, "connection \(index)")
            }
            let timeWait = try ProcessInspection.timeWaitCount(localPort: localPort)
            try #require(timeWait > 0, "the client's side of the closed local connections should be in TIME-WAIT on port \(localPort)")

            await first.stop()
            #expect(first.terminationStatus == 0, "\(first.output)")
            #expect(try ProcessInspection.timeWaitCount(localPort: localPort) > 0, "TIME-WAIT must still be there for the restart")
            let restarted = ContinuousClock.now
            let second = try await fixture.startClient(config: config, name: "client-2")
            let result = try await HeldConnection.open(port: localPort, group: group).finish(halfClose: false)
            let elapsed = ContinuousClock.now - restarted
            #expect(result.received == greeting, "the restarted client forwards")
            // Without SO_REUSEADDR it does not come up at all while the TIME-WAIT lasts (60 s);
            // the bound only leaves room for a loaded machine.
            #expect(elapsed < .seconds(10), "the restarted client took \(elapsed) to forward")
            #expect(!second.output.contains("in use"), "\(second.output)")
            try await greeter.close()
        }
    }
}

/// Records an issue unless `process` runs as the test user.
func expectTestUser(_ process: ChildProcess, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let expected = TestUser.dropsPrivileges ? TestUser.uid : geteuid()
    let actual = try ProcessInspection.uid(of: process.pid)
    #expect(actual == expected, "\(process.name) runs as uid \(actual), not as \(TestUser.description)", sourceLocation: sourceLocation)
}
