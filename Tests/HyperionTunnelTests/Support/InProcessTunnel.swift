import HyperionCrypto
import Logging
import NIOCore
import NIOPosix
@testable import HyperionTunnel

/// A real tunnel server and one client session in process, on loopback, with an echo
/// service that the server may dial; torn down after `body`, also when it throws. The
/// client pings only once, as the session starts, unless `client` says otherwise.
enum InProcessTunnel {
    static func with(
        group: EventLoopGroup, label: String,
        server configureServer: (inout TunnelServerSettings) -> Void = { _ in },
        client configureClient: (inout TunnelClientSettings) -> Void = { _ in },
        _ body: (_ session: TunnelSession, _ echoPort: UInt16) async throws -> Void
    ) async throws {
        let echo = try await ServerBootstrap(group: group)
            .childChannelInitializer { $0.pipeline.addHandler(EchoHandler()) }
            .bind(host: "127.0.0.1", port: 0).get()
        let echoPort = UInt16(echo.localAddress!.port!)
        let serverKey = X25519SecretKey.generate()
        let adminKey = X25519SecretKey.generate()
        let psk = try PresharedKey(rawBytes: (0..<32).map { _ in UInt8.random(in: 0...255) })
        var serverSettings = TunnelServerSettings(
            listenHost: "127.0.0.1", listenPort: 0, serverKey: serverKey, presharedKey: psk,
            adminKeys: [adminKey.publicKey], egress: EgressPolicy(allowedPorts: [echoPort])
        )
        configureServer(&serverSettings)
        let logger = Logger(label: label)
        let server = try await TunnelServer.start(settings: serverSettings, group: group, logger: logger).get()
        let endpoint = TunnelEndpoint(
            name: "test", host: "127.0.0.1", port: server.localAddress!.port!, serverKey: serverKey.publicKey, presharedKey: psk
        )
        var clientSettings = TunnelClientSettings(adminKey: adminKey)
        // No periodic ping behind the test's back, and no keepalive deadline that a loaded
        // machine could miss.
        clientSettings.pingInterval = .seconds(60)
        clientSettings.pingTimeout = .seconds(120)
        configureClient(&clientSettings)
        let session = try await TunnelConnector.connect(to: endpoint, settings: clientSettings, on: group.any(), logger: logger).get()
        do {
            try await body(session, echoPort)
        } catch {
            session.close()
            _ = try? await server.shutdown().get()
            try? await echo.close()
            throw error
        }
        session.close()
        try await server.shutdown().get()
        try await echo.close()
    }
}

/// Sends back what it reads.
final class EchoHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(data, promise: nil)
    }
}
