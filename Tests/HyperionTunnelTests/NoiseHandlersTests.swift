import HyperionCrypto
import HyperionMux
import Logging
import NIOCore
import NIOEmbedded
import Testing
@testable import HyperionTunnel

/// The handshake handler on two EmbeddedChannels whose outbound bytes are pumped into
/// each other, then the transport handlers it installs.
@Suite struct NoiseHandlersTests {
    let serverKey = X25519SecretKey.generate()
    let adminKey = X25519SecretKey.generate()
    let psk = try! PresharedKey(rawBytes: [UInt8](repeating: 5, count: 32))
    let logger = Logger(label: "test")

    /// Captures the plaintext the transport hands up.
    final class PlaintextSink: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var received: [UInt8] = []
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received.append(contentsOf: unwrapInboundIn(data).readableBytesView)
        }
    }

    static func pump(_ from: EmbeddedChannel, _ to: EmbeddedChannel) throws -> Int {
        var moved = 0
        while let bytes = try from.readOutbound(as: ByteBuffer.self) {
            moved += bytes.readableBytes
            try to.writeInbound(bytes)
        }
        return moved
    }

    struct SessionRefused: Error {}

    func pair(
        allowlist: [X25519PublicKey],
        serverSession: ((ChannelPipeline.SynchronousOperations, NoiseTransportHandler) throws -> Void)? = nil
    ) throws -> (client: EmbeddedChannel, server: EmbeddedChannel, clientDone: EventLoopFuture<HandshakeOutcome>, serverDone: EventLoopFuture<HandshakeOutcome>, clientSink: PlaintextSink, serverSink: PlaintextSink) {
        let client = EmbeddedChannel()
        let server = EmbeddedChannel()
        let clientPromise = client.eventLoop.makePromise(of: HandshakeOutcome.self)
        let serverPromise = server.eventLoop.makePromise(of: HandshakeOutcome.self)
        let clientSink = PlaintextSink()
        let serverSink = PlaintextSink()
        try client.pipeline.syncOperations.addHandler(NoiseHandshakeHandler(
            driver: InitiatorHandshake(adminKey: adminKey, serverKey: serverKey.publicKey, presharedKey: psk),
            timeout: .seconds(3), completion: clientPromise, logger: logger
        ) { pipeline, transport, _ in try pipeline.addHandler(clientSink, position: .after(transport)) })
        try server.pipeline.syncOperations.addHandler(NoiseHandshakeHandler(
            driver: ResponderHandshake(serverKey: serverKey, presharedKey: psk, allowlist: allowlist),
            timeout: .seconds(3), completion: serverPromise, logger: logger
        ) { pipeline, transport, _ in
            try pipeline.addHandler(serverSink, position: .after(transport))
            try serverSession?(pipeline, transport)
        })
        try client.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        try server.connect(to: .init(ipAddress: "127.0.0.1", port: 2)).wait()
        return (client, server, clientPromise.futureResult, serverPromise.futureResult, clientSink, serverSink)
    }

    /// Issue 16: the client adds the handler before its TCP connect completes. A timer that
    /// started then ended every attempt against a silent drop at the handshake timeout (3 s),
    /// so a longer `connect_timeout_ms` never took effect. The timer starts with the
    /// connection.
    @Test func theHandshakeTimerStartsWhenTheConnectionIsUp() throws {
        let client = EmbeddedChannel()
        let done = client.eventLoop.makePromise(of: HandshakeOutcome.self)
        try client.pipeline.syncOperations.addHandler(NoiseHandshakeHandler(
            driver: InitiatorHandshake(adminKey: adminKey, serverKey: serverKey.publicKey, presharedKey: psk),
            timeout: .seconds(3), completion: done, logger: logger
        ) { _, _, _ in })
        nonisolated(unsafe) var failure: Error?
        done.futureResult.whenFailure { failure = $0 }
        client.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(failure == nil, "still connecting: only the connect timeout applies")
        try client.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        client.embeddedEventLoop.advanceTime(by: .milliseconds(2999))
        #expect(failure == nil)
        client.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect((failure as? TunnelError)?.kind == .handshakeTimedOut)
    }

    @Test func handshakeInstallsTransportsThatCarryDataBothWays() throws {
        let (client, server, clientDone, serverDone, clientSink, serverSink) = try pair(allowlist: [adminKey.publicKey])
        #expect(try Self.pump(client, server) == 98)
        #expect(try Self.pump(server, client) == 50)
        #expect(try clientDone.wait().peer == serverKey.publicKey)
        #expect(try serverDone.wait().peer == adminKey.publicKey)

        let message = [UInt8](repeating: 0x42, count: 40_000)
        try client.writeAndFlush(ByteBuffer(bytes: message)).wait()
        // 40000 bytes of plaintext: three frames, each sealed with a 16-byte tag.
        #expect(try Self.pump(client, server) == 40_000 + 3 * 18)
        #expect(serverSink.received == message)
        try server.writeAndFlush(ByteBuffer(bytes: [1, 2, 3])).wait()
        _ = try Self.pump(server, client)
        #expect(clientSink.received == [1, 2, 3])
    }

    /// Reads end anywhere: inside a length prefix, inside a frame, right after one. Frames
    /// cut by a read are completed from the next and every byte arrives once, in order.
    @Test(arguments: [1, 2, 3, 17, 1000, 16_401, 16_402, 16_403, 40_000])
    func framesCutAtAnyReadBoundaryArriveWhole(readSize: Int) throws {
        let (client, server, _, _, _, serverSink) = try pair(allowlist: [adminKey.publicKey])
        _ = try Self.pump(client, server)
        _ = try Self.pump(server, client)
        var generator = SystemRandomNumberGenerator()
        let message = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for start in stride(from: 0, to: message.count, by: 7_000) {
            try client.writeAndFlush(ByteBuffer(bytes: message[start..<min(start + 7_000, message.count)])).wait()
        }
        var wire = ByteBuffer()
        while var bytes = try client.readOutbound(as: ByteBuffer.self) { wire.writeBuffer(&bytes) }
        while wire.readableBytes > 0 {
            try server.writeInbound(wire.readSlice(length: min(readSize, wire.readableBytes))!)
        }
        #expect(serverSink.received.count == message.count)
        #expect(serverSink.received == message)
    }

    @Test func unknownAdminGetsNoReplyAndTheConnectionCloses() throws {
        let (client, server, clientDone, serverDone, _, _) = try pair(allowlist: [X25519SecretKey.generate().publicKey])
        _ = try Self.pump(client, server)
        #expect(try server.readOutbound(as: ByteBuffer.self) == nil)
        #expect(!server.isActive)
        #expect(throws: TunnelError.self) { try serverDone.wait() }
        // The client sees the connection end without an answer.
        client.pipeline.fireChannelInactive()
        #expect { try clientDone.wait() } throws: { ($0 as? TunnelError)?.kind == .handshakeRefused }
    }

    @Test func silentPeerIsCutOffAtTheHandshakeTimeout() throws {
        let (_, server, _, serverDone, _, _) = try pair(allowlist: [adminKey.publicKey])
        server.embeddedEventLoop.advanceTime(by: .milliseconds(2999))
        #expect(server.isActive)
        server.embeddedEventLoop.advanceTime(by: .milliseconds(2))
        #expect(!server.isActive)
        #expect { try serverDone.wait() } throws: { ($0 as? TunnelError)?.kind == .handshakeTimedOut }
    }

    @Test func forgedTransportFrameClosesTheConnection() throws {
        let (client, server, _, _, _, serverSink) = try pair(allowlist: [adminKey.publicKey])
        _ = try Self.pump(client, server)
        _ = try Self.pump(server, client)
        var forged = ByteBuffer()
        forged.writeInteger(UInt16(20))
        forged.writeBytes([UInt8](repeating: 9, count: 20))
        #expect(throws: (any Error).self) { try server.writeInbound(forged) }
        #expect(!server.isActive)
        #expect(serverSink.received.isEmpty)
    }

    /// A session that cannot be installed (here: its installer throws) must not leave a
    /// connection open with no session and no timeout, nor a handshake that never ends.
    @Test func aSessionThatCannotBeInstalledFailsTheHandshakeAndClosesTheConnection() throws {
        let (client, server, _, serverDone, _, _) = try pair(allowlist: [adminKey.publicKey]) { _, _ in throw SessionRefused() }
        var outcome: Result<HandshakeOutcome, Error>?
        serverDone.assumeIsolated().whenComplete { outcome = $0 }
        _ = try Self.pump(client, server)
        #expect(!server.isActive)
        #expect(outcome != nil, "the handshake never completed")
        #expect { try outcome?.get() } throws: { $0 is SessionRefused }
    }

    /// Plaintext written without a flush waits in the transport handler with its promise;
    /// when the connection closes first, the promise fails instead of never completing.
    @Test func aWriteStillWaitingForItsFlushFailsWhenTheConnectionCloses() throws {
        let (client, server, _, serverDone, _, _) = try pair(allowlist: [adminKey.publicKey])
        _ = try Self.pump(client, server)
        _ = try serverDone.wait()
        let written = server.eventLoop.makePromise(of: Void.self)
        var outcome: Result<Void, Error>?
        written.futureResult.assumeIsolated().whenComplete { outcome = $0 }
        server.write(ByteBuffer(string: "never flushed"), promise: written)
        #expect(outcome == nil)
        try server.close().wait()
        server.embeddedEventLoop.run()   // the pipeline's handlers are removed after the close
        #expect(throws: (any Error).self) { try outcome?.get() }
        #expect(outcome != nil, "the write's promise never completed")
    }
}
