import HyperionCrypto
import Logging
import NIOCore
import NIOEmbedded
import Testing
@testable import HyperionTunnel

/// What the server sends when a handshake completes: message 2 and the session's first
/// frames (the multiplexer's pings and early-data announcement, each written and flushed
/// on its own) leave the pipeline in one flush, the frames sealed into one transport frame.
@Suite struct SessionStartFlushTests {
    let serverKey = X25519SecretKey.generate()
    let adminKey = X25519SecretKey.generate()
    let psk = try! PresharedKey(rawBytes: [UInt8](repeating: 7, count: 32))

    /// Sits at the head of the pipeline and counts the flushes that reach the socket.
    final class FlushCounter: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var flushes = 0
        func flush(context: ChannelHandlerContext) {
            flushes += 1
            context.flush()
        }
    }

    /// Stands in for the session: three writes, each flushed at once.
    final class EagerStarter: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        func handlerAdded(context: ChannelHandlerContext) {
            for text in ["ping", "announce", "keepalive"] {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
            }
        }
    }

    final class PlaintextSink: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var received = ""
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += String(buffer: unwrapInboundIn(data))
        }
    }

    @Test func messageTwoAndTheSessionsFirstFramesLeaveInOneFlush() throws {
        let logger = Logger(label: "test")
        let client = EmbeddedChannel()
        let server = EmbeddedChannel()
        let counter = FlushCounter()
        let sink = PlaintextSink()
        try server.pipeline.syncOperations.addHandler(counter)
        try server.pipeline.syncOperations.addHandler(NoiseHandshakeHandler(
            driver: ResponderHandshake(serverKey: serverKey, presharedKey: psk, allowlist: [adminKey.publicKey]),
            timeout: .seconds(3), completion: server.eventLoop.makePromise(), logger: logger
        ) { pipeline, transport, _ in try pipeline.addHandler(EagerStarter(), position: .after(transport)) })
        try client.pipeline.syncOperations.addHandler(NoiseHandshakeHandler(
            driver: InitiatorHandshake(adminKey: adminKey, serverKey: serverKey.publicKey, presharedKey: psk),
            timeout: .seconds(3), completion: client.eventLoop.makePromise(), logger: logger
        ) { pipeline, transport, _ in try pipeline.addHandler(sink, position: .after(transport)) })
        try client.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        try server.connect(to: .init(ipAddress: "127.0.0.1", port: 2)).wait()

        while let message1 = try client.readOutbound(as: ByteBuffer.self) { try server.writeInbound(message1) }
        #expect(counter.flushes == 1, "message 2 and the session's frames in one flush")
        var writes: [ByteBuffer] = []
        while let bytes = try server.readOutbound(as: ByteBuffer.self) { writes.append(bytes) }
        // Message 2 (48 bytes: e, empty payload tag, length prefix), then one transport
        // frame: the 21 plaintext bytes, a 16-byte tag and the 2-byte length.
        #expect(writes.map(\.readableBytes) == [50, 21 + 16 + 2])
        var delivered = writes.reduce(into: ByteBuffer()) { all, piece in
            var piece = piece
            all.writeBuffer(&piece)
        }
        try client.writeInbound(delivered.readSlice(length: delivered.readableBytes)!)
        #expect(sink.received == "pingannouncekeepalive")
    }
}
