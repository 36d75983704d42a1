import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTestSupport

/// Our binaries against an independent v1 implementation (interop/go-peer: flynn/noise and
/// hashicorp/yamux), in both directions.
@Suite(.serialized) struct InteropTests {
    let group = MultiThreadedEventLoopGroup.singleton

    @Test func swiftClientThroughGoServer() async throws {
        guard TestEnvironment.require(TestEnvironment.goPeer != nil, "the Go peer (HYPERION_GO_PEER, built by interop/go-peer/build.sh)") else { return }
        try await TunnelFixture.with("interop-goserver") { fixture in
            let echo = try await LoopbackService.echo(group: group)
            let echoPort = echo.localAddress!.port!
            let tunnelPort = try TunnelFixture.freePort()
            let deniedPort = try TunnelFixture.freePort()
            let goServer = try ChildProcess(
                name: "go-server", executable: TestEnvironment.goPeer!,
                arguments: [
                    "server", "--listen", "127.0.0.1:\(tunnelPort)", "--key-file", fixture.serverKeyPath,
                    "--admin-pubkey", fixture.adminKey.publicKey.base64, "--psk-env", TunnelFixture.pskVariable, "--allow", "\(echoPort)",
                ],
                environment: fixture.environment, directory: fixture.directory
            )
            fixture.adopt(goServer)
            try await goServer.waitForOutput("listening")
            let localPort = try TunnelFixture.freePort()
            let deniedLocal = try TunnelFixture.freePort()
            let client = try await fixture.startClient(config: fixture.clientConfig(
                servers: [("go", tunnelPort)],
                forwards: [.init(localPort: localPort, server: "go", remotePort: echoPort), .init(localPort: deniedLocal, server: "go", remotePort: deniedPort)]
            ), forwards: 2)

            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for index in 0..<8 {
                    tasks.addTask {
                        let payload = [UInt8].random(count: 1_500_000 + index)
                        let result = try await StreamProbe.exchange(port: localPort, payload: payload, group: group)
                        #expect(sameBytes(result.received, payload), "stream \(index) through the Go server")
                    }
                }
                try await tasks.waitForAll()
            }
            let denied = try await StreamProbe.exchange(port: deniedLocal, payload: [1], group: group)
            #expect(denied.received.isEmpty)
            try await client.waitForOutput("the server denied port \(deniedPort)")

            let doctor = try await runCommand(
                TestEnvironment.client, ["doctor", "--config", fixture.directory + "/client.toml"], environment: fixture.environment
            )
            #expect(doctor.status == 0, "\(doctor.output)")
            try await echo.close()
        }
    }

    @Test func goClientThroughSwiftServer() async throws {
        guard TestEnvironment.require(TestEnvironment.goPeer != nil, "the Go peer (HYPERION_GO_PEER, built by interop/go-peer/build.sh)") else { return }
        try await TunnelFixture.with("interop-goclient") { fixture in
            let echo = try await LoopbackService.echo(group: group)
            let reverse = try await LoopbackService.reverse(group: group)
            let echoPort = echo.localAddress!.port!
            let reversePort = reverse.localAddress!.port!
            let tunnelPort = try TunnelFixture.freePort()
            _ = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [echoPort, reversePort]))
            let echoLocal = try TunnelFixture.freePort()
            let reverseLocal = try TunnelFixture.freePort()
            let goClient = try ChildProcess(
                name: "go-client", executable: TestEnvironment.goPeer!,
                arguments: [
                    "client", "--server", "127.0.0.1:\(tunnelPort)", "--server-pubkey", fixture.serverKey.publicKey.base64,
                    "--key-file", fixture.adminKeyPath, "--psk-env", TunnelFixture.pskVariable,
                    "-L", "\(echoLocal):\(echoPort)", "-L", "\(reverseLocal):\(reversePort)",
                ],
                environment: fixture.environment, directory: fixture.directory
            )
            fixture.adopt(goClient)
            try await goClient.waitForOutput("forwarding", count: 2)

            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for index in 0..<8 {
                    tasks.addTask {
                        let payload = [UInt8].random(count: 1_500_000 + index)
                        let result = try await StreamProbe.exchange(port: echoLocal, payload: payload, group: group)
                        #expect(sameBytes(result.received, payload), "stream \(index) from the Go client")
                    }
                }
                try await tasks.waitForAll()
            }
            let payload = [UInt8].random(count: 3_000_000)
            let reversed = try await StreamProbe.exchange(port: reverseLocal, payload: payload, group: group)
            #expect(sameBytes(reversed.received, Array(payload.reversed())), "half-close through the Swift server")
            try await echo.close()
            try await reverse.close()
        }
    }
}
