import HyperionMux
import HyperionWire
import Logging
import NIOCore
import NIOEmbedded

/// A hand-written yamux client: the test builds every byte, the server multiplexer answers.
final class RawPeer {
    let channel = EmbeddedChannel()
    let multiplexer: YamuxMultiplexer
    let log: StreamLog

    init(
        configuration: YamuxConfiguration = .testing(.server),
        log: StreamLog = StreamLog(),
        logger: Logger = Logger(label: "yamux-raw-peer"),
        initializer: (@Sendable (Channel) -> EventLoopFuture<Void>)? = nil
    ) throws {
        self.log = log
        self.multiplexer = YamuxMultiplexer(
            configuration: configuration,
            channel: self.channel,
            logger: logger,
            inboundStreamInitializer: initializer ?? log.installer()
        )
        try self.channel.pipeline.syncOperations.addHandler(self.multiplexer)
        try self.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    }

    func send(_ header: YamuxHeader, payload: [UInt8] = []) throws {
        try self.send(header.bytes(payload: payload))
    }

    func send(_ bytes: ByteBuffer) throws {
        try self.channel.writeInbound(bytes)
    }

    /// The buffers the multiplexer wrote, one per write.
    func writes() throws -> [ByteBuffer] {
        var result: [ByteBuffer] = []
        while let next = try self.channel.readOutbound(as: ByteBuffer.self) { result.append(next) }
        return result
    }

    /// The frames the multiplexer wrote.
    func frames() throws -> [YamuxFrame] {
        var bytes = ByteBuffer()
        for var write in try self.writes() { bytes.writeBuffer(&write) }
        return try HyperionMuxTests.frames(in: &bytes)
    }

    func headers() throws -> [YamuxHeader] {
        try self.frames().map(\.header)
    }
}
