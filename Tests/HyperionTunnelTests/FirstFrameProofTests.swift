import HyperionCrypto
import Logging
import NIOCore
import NIOEmbedded
import Testing
@testable import HyperionTunnel

/// The hooks the server builds "authenticated means proven" on: the transport reports the
/// first frame that decrypts, once, before its plaintext goes on; the handshake handler
/// reports why it refused.
extension NoiseHandlersTests {
    @Test func theFirstFrameThatDecryptsIsReportedOnceBeforeItsPlaintext() throws {
        final class Probe {
            var calls = 0
            var plaintextSeenAtCall: Int?
        }
        let probe = Probe()
        var sink: PlaintextSink?
        let (client, server, _, _, _, serverSink) = try pair(allowlist: [adminKey.publicKey]) { _, transport in
            transport.firstFrameOpened = {
                probe.calls += 1
                probe.plaintextSeenAtCall = sink?.received.count
            }
        }
        sink = serverSink
        _ = try Self.pump(client, server)
        _ = try Self.pump(server, client)
        #expect(probe.calls == 0, "message 1 alone proves nothing: it can be a replay")

        try client.writeAndFlush(ByteBuffer(bytes: [1, 2, 3])).wait()
        _ = try Self.pump(client, server)
        #expect(probe.calls == 1)
        #expect(probe.plaintextSeenAtCall == 0, "reported before the plaintext goes on")
        try client.writeAndFlush(ByteBuffer(bytes: [4, 5])).wait()
        _ = try Self.pump(client, server)
        #expect(probe.calls == 1)
        #expect(serverSink.received == [1, 2, 3, 4, 5])
    }

    @Test func aForgedFirstFrameProvesNothing() throws {
        final class Probe { var calls = 0 }
        let probe = Probe()
        let (client, server, _, _, _, serverSink) = try pair(allowlist: [adminKey.publicKey]) { _, transport in
            transport.firstFrameOpened = { probe.calls += 1 }
        }
        _ = try Self.pump(client, server)
        _ = try Self.pump(server, client)
        // A frame of the right shape whose tag cannot verify: what a replayer can send.
        var forged = ByteBuffer()
        forged.writeInteger(UInt16(19))
        forged.writeBytes([UInt8](repeating: 0xAB, count: 19))
        _ = try? server.writeInbound(forged)
        #expect(probe.calls == 0)
        #expect(serverSink.received.isEmpty)
        #expect(!server.isActive)
    }

    @Test func theServersHandlerWithoutATimeoutLeavesTheDeadlineToItsOwner() throws {
        let server = EmbeddedChannel()
        let done = server.eventLoop.makePromise(of: HandshakeOutcome.self)
        try server.pipeline.syncOperations.addHandler(NoiseHandshakeHandler(
            driver: ResponderHandshake(serverKey: serverKey, presharedKey: psk, allowlist: [adminKey.publicKey]),
            timeout: nil, completion: done, logger: logger
        ) { _, _, _ in })
        try server.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        server.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(server.isActive)
        _ = try? server.close().wait()
    }

    @Test func refusalsAreReportedByKind() throws {
        final class Probe { var kinds: [ConnectionRefusal] = [] }
        let probe = Probe()
        let replays = ReplayGuard()
        func server(allowlist: [X25519PublicKey]) throws -> EmbeddedChannel {
            let channel = EmbeddedChannel()
            try channel.pipeline.syncOperations.addHandler(NoiseHandshakeHandler(
                driver: ResponderHandshake(serverKey: serverKey, presharedKey: psk, allowlist: allowlist, replays: replays),
                timeout: nil, completion: channel.eventLoop.makePromise(), logger: logger, refused: { probe.kinds.append($0) }
            ) { _, _, _ in })
            try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
            return channel
        }
        var initiator = InitiatorHandshake(adminKey: adminKey, serverKey: serverKey.publicKey, presharedKey: psk)
        let message1 = try #require(try initiator.start())
        _ = try? server(allowlist: [X25519SecretKey.generate().publicKey]).writeInbound(message1)
        _ = try? server(allowlist: [adminKey.publicKey]).writeInbound(message1)
        _ = try? server(allowlist: [adminKey.publicKey]).writeInbound(message1)
        _ = try? server(allowlist: [adminKey.publicKey]).writeInbound(ByteBuffer(bytes: [0x00, 0x60] + [UInt8](repeating: 9, count: 96)))
        _ = try? server(allowlist: [adminKey.publicKey]).writeInbound(ByteBuffer(bytes: [0xFF, 0xFF]))
        #expect(probe.kinds == [.unknownAdmin, .replayed, .handshakeFailed, .handshakeFailed])
    }
}
