import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTestSupport

/// Real hyperion-server and hyperion-client processes on loopback.
@Suite(.serialized) struct TunnelProcessTests {
    let group = MultiThreadedEventLoopGroup.singleton

    @Test func largePayloadsOverManyConcurrentStreamsArriveByteExact() async throws {
        try await TunnelFixture.with("echo") { fixture in
            let echo = try await LoopbackService.echo(group: group)
            let echoPort = echo.localAddress!.port!
            let localPort = try await fixture.startForward(to: echoPort).localPort

            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for index in 0..<24 {
                    tasks.addTask {
                        let payload = [UInt8].random(count: index % 3 == 0 ? 4 * 1024 * 1024 : 300_000 + index)
                        let result = try await StreamProbe.exchange(port: localPort, payload: payload, group: group)
                        #expect(result.received.count == payload.count, "stream \(index) length")
                        #expect(sameBytes(result.received, payload), "stream \(index) content")
                        #expect(result.cleanEOF, "stream \(index) ended with EOF")
                    }
                }
                try await tasks.waitForAll()
            }
            try await echo.close()
        }
    }

    @Test func deniedAndUnreachablePortsAreAnsweredAndLogged() async throws {
        try await TunnelFixture.with("denied") { fixture in
            let tunnelPort = try TunnelFixture.freePort()
            let allowedButClosed = try TunnelFixture.freePort()
            let notAllowed = try TunnelFixture.freePort()
            let deniedLocal = try TunnelFixture.freePort()
            let unreachableLocal = try TunnelFixture.freePort()
            _ = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [allowedButClosed]))
            let client = try await fixture.startClient(config: fixture.clientConfig(
                servers: [("srvA", tunnelPort)],
                forwards: [
                    .init(localPort: deniedLocal, server: "srvA", remotePort: notAllowed),
                    .init(localPort: unreachableLocal, server: "srvA", remotePort: allowedButClosed),
                ]
            ), forwards: 2)

            let denied = try await StreamProbe.exchange(port: deniedLocal, payload: [1, 2, 3], group: group)
            #expect(denied.received.isEmpty)
            try await client.waitForOutput("the server denied port \(notAllowed)")

            let unreachable = try await StreamProbe.exchange(port: unreachableLocal, payload: [1, 2, 3], group: group)
            #expect(unreachable.received.isEmpty)
            try await client.waitForOutput("could not reach 127.0.0.1:\(allowedButClosed)")
        }
    }

    @Test func unknownAdminAndWrongPSKAreRefusedWhileOthersAreServed() async throws {
        try await TunnelFixture.with("refuse") { fixture in
            let echo = try await LoopbackService.echo(group: group)
            let echoPort = echo.localAddress!.port!
            let tunnelPort = try TunnelFixture.freePort()
            let server = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [echoPort]))

            // An admin key the server does not list.
            let strangerKey = fixture.directory + "/stranger.key"
            _ = try await runCommand(TestEnvironment.client, ["keygen", "--out", strangerKey])
            let strangerConfig = try fixture.clientConfig(name: "stranger.toml", servers: [("srvA", tunnelPort)], forwards: [], adminKeyPath: strangerKey)
            let stranger = try await runCommand(TestEnvironment.client, ["doctor", "--config", strangerConfig], environment: fixture.environment)
            #expect(stranger.status != 0)
            #expect(stranger.output.contains("handshake refused"), "\(stranger.output)")
            // Counted in the refusal summary (every 10 s), not logged per connection.
            try await server.waitForOutput("unknown admin key")

            // The right admin key with the wrong PSK.
            let wrongPSK = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            let goodConfig = try fixture.clientConfig(
                servers: [("srvA", tunnelPort)], forwards: [.init(localPort: try TunnelFixture.freePort(), server: "srvA", remotePort: echoPort)]
            )
            let wrong = try await runCommand(TestEnvironment.client, ["doctor", "--config", goodConfig], environment: [TunnelFixture.pskVariable: wrongPSK])
            #expect(wrong.status != 0)
            #expect(wrong.output.contains("wrong PSK"), "\(wrong.output)")

            // The server still serves the right admin.
            let good = try await runCommand(TestEnvironment.client, ["doctor", "--config", goodConfig], environment: fixture.environment)
            #expect(good.status == 0, "\(good.output)")
            #expect(good.output.contains("ping"))
            try await echo.close()
        }
    }

    /// Where the system's libcrypto cannot give ChaCha20-Poly1305 (here: an OpenSSL config
    /// that loads only the base provider, as a FIPS-only host would lack the cipher), both
    /// ends fall back to swift-crypto's BoringSSL for transport frames instead of failing.
    @Test func tunnelWorksWhereLibcryptoLacksChaChaPoly() async throws {
        try await TunnelFixture.with("nochacha") { fixture in
            let config = try fixture.write("openssl-base-only.cnf", """
                openssl_conf = openssl_init
                [openssl_init]
                providers = provider_sect
                [provider_sect]
                base = base_sect
                [base_sect]
                activate = 1

                """)
            let echo = try await LoopbackService.echo(group: group)
            let localPort = try await fixture.startForward(to: echo.localAddress!.port!, environment: ["OPENSSL_CONF": config]).localPort
            let payload = [UInt8].random(count: 1024 * 1024)
            let result = try await StreamProbe.exchange(port: localPort, payload: payload, group: group)
            #expect(sameBytes(result.received, payload))
            #expect(result.cleanEOF)
            try await echo.close()
        }
    }

    @Test func halfClosedClientStillReceivesTheWholeReply() async throws {
        try await TunnelFixture.with("halfclose") { fixture in
            let reverse = try await LoopbackService.reverse(group: group)
            let servicePort = reverse.localAddress!.port!
            let localPort = try await fixture.startForward(to: servicePort).localPort
            // The reply is only sent after the client's FIN, and is big enough to still be in
            // flight when the server-side FIN follows it.
            let payload = [UInt8].random(count: 8 * 1024 * 1024)
            let result = try await StreamProbe.exchange(port: localPort, payload: payload, group: group)
            #expect(result.received.count == payload.count)
            #expect(sameBytes(result.received, Array(payload.reversed())))
            #expect(result.cleanEOF)
            try await reverse.close()
        }
    }

    @Test func forwardRecoversWithinTwoSecondsOfAServerRestart() async throws {
        try await TunnelFixture.with("restart") { fixture in
            let echo = try await LoopbackService.echo(group: group)
            let echoPort = echo.localAddress!.port!
            let tunnelPort = try TunnelFixture.freePort()
            let localPort = try TunnelFixture.freePort()
            let serverConfig = try fixture.serverConfig(port: tunnelPort, allow: [echoPort])
            let first = try await fixture.startServer(config: serverConfig, name: "server-1")
            let client = try await fixture.startClient(config: fixture.clientConfig(
                servers: [("srvA", tunnelPort)], forwards: [.init(localPort: localPort, server: "srvA", remotePort: echoPort)]
            ))
            let before = try await StreamProbe.exchange(port: localPort, payload: [7, 7, 7], group: group)
            #expect(before.received == [7, 7, 7])

            await first.stop()
            try await client.waitForOutput("reconnecting")
            // Let the client's backoff grow a little while the server is away.
            try await Task.sleep(for: .seconds(3))
            _ = try await fixture.startServer(config: serverConfig, name: "server-2")
            let restarted = ContinuousClock.now
            let payload = [UInt8].random(count: 100_000)
            let after = try await StreamProbe.exchange(port: localPort, payload: payload, group: group)
            let elapsed = ContinuousClock.now - restarted
            #expect(sameBytes(after.received, payload))
            #expect(elapsed < .seconds(2), "the forward took \(elapsed) to work again")
            try await echo.close()
        }
    }

    @Test func fiveHundredConcurrentStreamsOverOnePool() async throws {
        try await TunnelFixture.with("streams500") { fixture in
            let echo = try await LoopbackService.echo(group: group)
            let echoPort = echo.localAddress!.port!
            let tunnelPort = try TunnelFixture.freePort()
            let localPort = try TunnelFixture.freePort()
            _ = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [echoPort]))
            _ = try await fixture.startClient(config: fixture.clientConfig(
                servers: [("srvA", tunnelPort)], forwards: [.init(localPort: localPort, server: "srvA", remotePort: echoPort)], poolSize: 2
            ))
            let failures = try await withThrowingTaskGroup(of: Bool.self) { tasks in
                for index in 0..<500 {
                    tasks.addTask {
                        let payload = [UInt8].random(count: 1000 + index)
                        let result = try await StreamProbe.exchange(port: localPort, payload: payload, group: group)
                        return result.received == payload && result.cleanEOF
                    }
                }
                var failures = 0
                for try await ok in tasks where !ok { failures += 1 }
                return failures
            }
            #expect(failures == 0, "\(failures) of 500 streams did not echo byte-exact")
            try await echo.close()
        }
    }

    @Test func serverDrainsOpenStreamsOnSIGTERMAndExitsZero() async throws {
        try await TunnelFixture.with("drain") { fixture in
            let reverse = try await LoopbackService.reverse(group: group)
            let servicePort = reverse.localAddress!.port!
            let (localPort, server, _) = try await fixture.startForward(to: servicePort)
            // A stream that is open when SIGTERM arrives: the connection is made, the reply
            // comes only after the client's FIN, which we send after the signal.
            let channel = try await ClientBootstrap(group: group)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .connect(host: "127.0.0.1", port: localPort).get()
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: [1, 2, 3, 4]))
            try await Task.sleep(for: .milliseconds(300))
            server.signal(SIGTERM)
            try await server.waitForOutput("shutting down")
            try await channel.close()
            let status = try await server.waitForExit(timeout: .seconds(15))
            #expect(status == 0, "server exit status \(String(describing: status)):\n\(server.output)")
            try await reverse.close()
        }
    }
}
