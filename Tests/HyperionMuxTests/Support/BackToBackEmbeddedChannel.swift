import HyperionMux
import Logging
import NIOCore
import NIOEmbedded

/// A client and a server multiplexer on two `EmbeddedChannel`s of one loop, with the bytes
/// each writes pumped into the other (as `BackToBackEmbeddedChannel` in swift-nio-ssh).
final class BackToBackEmbeddedChannel {
    let loop = EmbeddedEventLoop()
    let client: EmbeddedChannel
    let server: EmbeddedChannel
    let clientMultiplexer: YamuxMultiplexer
    let serverMultiplexer: YamuxMultiplexer
    /// Deliver bytes in reads of at most this size, to cut frames anywhere.
    var chunkSize = Int.max

    init(
        client clientConfiguration: YamuxConfiguration = .testing(.client),
        server serverConfiguration: YamuxConfiguration = .testing(.server),
        serverStreamInitializer: @escaping @Sendable (Channel) -> EventLoopFuture<Void> = EchoHandler.install
    ) throws {
        self.client = EmbeddedChannel(loop: self.loop)
        self.server = EmbeddedChannel(loop: self.loop)
        let logger = Logger(label: "yamux-test")
        self.clientMultiplexer = YamuxMultiplexer(
            configuration: clientConfiguration, channel: self.client, logger: logger, inboundStreamInitializer: nil)
        self.serverMultiplexer = YamuxMultiplexer(
            configuration: serverConfiguration, channel: self.server, logger: logger,
            inboundStreamInitializer: serverStreamInitializer)
        try self.client.pipeline.syncOperations.addHandler(self.clientMultiplexer)
        try self.server.pipeline.syncOperations.addHandler(self.serverMultiplexer)
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 1)
        try self.client.connect(to: address).wait()
        try self.server.connect(to: address).wait()
    }

    /// Moves bytes both ways until neither side has anything more to say. Returns the
    /// number of bytes moved.
    @discardableResult
    func interact() throws -> Int {
        var total = 0
        while true {
            self.loop.run()
            let moved = try self.pump(from: self.client, to: self.server) + self.pump(from: self.server, to: self.client)
            guard moved > 0 else { return total }
            total += moved
        }
    }

    /// Opens a stream from the client and returns its channel once the pump ran.
    func openStream(_ initializer: @escaping @Sendable (Channel) -> EventLoopFuture<Void> = { $0.eventLoop.makeSucceededVoidFuture() }) throws -> Channel {
        let promise = self.loop.makePromise(of: Channel.self)
        self.clientMultiplexer.createStream(promise: promise, initializer)
        try self.interact()
        return try promise.futureResult.wait()
    }

    /// The bytes `channel` wrote and flushed, concatenated.
    func drainOutbound(_ channel: EmbeddedChannel) throws -> ByteBuffer {
        var bytes = ByteBuffer()
        while var next = try channel.readOutbound(as: ByteBuffer.self) { bytes.writeBuffer(&next) }
        return bytes
    }

    private func pump(from source: EmbeddedChannel, to destination: EmbeddedChannel) throws -> Int {
        var bytes = try self.drainOutbound(source)
        let count = bytes.readableBytes
        guard destination.isActive else { return 0 }
        while bytes.readableBytes > 0 {
            let chunk = bytes.readSlice(length: min(self.chunkSize, bytes.readableBytes))!
            try destination.writeInbound(chunk)
            guard destination.isActive else { break }
        }
        return count
    }
}
