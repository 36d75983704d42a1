import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTestSupport

/// Rekeying (PROTOCOL.md §10.3) between the real binaries: our client and server agree on
/// it; against the independent Go v1 peer (interop/go-peer) in either role nobody opts in,
/// no marker is sent, and transfers work as before. The binaries log "rekeying agreed" at
/// debug level when they do; the Go peer's yamux trace shows the pings themselves.
@Suite(.serialized) struct RekeyInteropTests {
    let group = MultiThreadedEventLoopGroup.singleton
    static let debug = ["HYPERION_LOG": "debug"]
    /// The yamux trace lines of the Go peer for ping frames carrying "HYRK" (0x4859524B).
    static func hyrk(_ flags: String) -> String { "v0 PING flags=\(flags) stream=0 len=\(0x4859_524B)" }

    @Test func ourClientAndServerAgree() async throws {
        try await TunnelFixture.with("rekey-agree") { fixture in
            let echo = try await LoopbackService.echo(group: group)
            let (localPort, server, client) = try await fixture.startForward(to: echo.localAddress!.port!, environment: Self.debug)
            let payload = [UInt8].random(count: 1_000_000)
            let result = try await StreamProbe.exchange(port: localPort, payload: payload, group: group)
            #expect(sameBytes(result.received, payload))
            #expect(try await server.waitForOutput("rekeying agreed"))
            #expect(try await client.waitForOutput("rekeying agreed"))
            try await echo.close()
        }
    }

    @Test func ourClientDoesNotOptInWithTheGoServer() async throws {
        guard TestEnvironment.require(TestEnvironment.goPeer != nil, "the Go peer (HYPERION_GO_PEER, built by interop/go-peer/build.sh)") else { return }
        try await TunnelFixture.with("rekey-goserver") { fixture in
            let echo = try await LoopbackService.echo(group: group)
            let echoPort = echo.localAddress!.port!
            let tunnelPort = try TunnelFixture.freePort()
            let goServer = try await fixture.startGoServer(port: tunnelPort, allow: [echoPort], extraArguments: ["--trace-yamux"])
            let localPort = try TunnelFixture.freePort()
            let client = try await fixture.startClient(config: fixture.clientConfig(
                servers: [("go", tunnelPort)], forwards: [.init(localPort: localPort, server: "go", remotePort: echoPort)]
            ), environment: Self.debug)

            let payload = [UInt8].random(count: 1_000_000)
            let result = try await StreamProbe.exchange(port: localPort, payload: payload, group: group)
            #expect(sameBytes(result.received, payload))
            // Our keepalive ping and its answer have crossed: so would an opt-in have.
            try await goServer.waitForOutput("yamux -> v0 PING flags=ACK")
            #expect(!goServer.output.contains(Self.hyrk("SYN")), "the client opted in with a v1 server")
            #expect(!client.output.contains("rekeying agreed"))
            #expect(!goServer.output.contains("transport frame length"), "the Go server met a frame outside v1")
            try await echo.close()
        }
    }

    @Test func theGoClientNeverOptsInAndOurServerNeverRekeys() async throws {
        guard TestEnvironment.require(TestEnvironment.goPeer != nil, "the Go peer (HYPERION_GO_PEER, built by interop/go-peer/build.sh)") else { return }
        try await TunnelFixture.with("rekey-goclient") { fixture in
            let echo = try await LoopbackService.echo(group: group)
            let echoPort = echo.localAddress!.port!
            let tunnelPort = try TunnelFixture.freePort()
            let server = try await fixture.startServer(config: fixture.serverConfig(port: tunnelPort, allow: [echoPort]), environment: Self.debug)
            let localPort = try TunnelFixture.freePort()
            let goClient = try await fixture.startGoClient(
                tunnelPort: tunnelPort, forwards: [(localPort, echoPort)], extraArguments: ["--trace-yamux"]
            )

            let payload = [UInt8].random(count: 1_000_000)
            let result = try await StreamProbe.exchange(port: localPort, payload: payload, group: group)
            #expect(sameBytes(result.received, payload))
            // The announcement arrived and was answered like any ping, nothing more.
            #expect(try await goClient.waitForOutput("yamux <- " + Self.hyrk("SYN")))
            #expect(try await goClient.waitForOutput("yamux -> " + Self.hyrk("ACK")))
            #expect(!goClient.output.contains("yamux -> " + Self.hyrk("SYN")))
            #expect(!server.output.contains("rekeying agreed"))
            #expect(!goClient.output.contains("transport frame length"), "the Go client met a frame outside v1")
            try await echo.close()
        }
    }
}
