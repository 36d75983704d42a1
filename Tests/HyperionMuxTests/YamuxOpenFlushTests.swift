import HyperionMux
import HyperionWire
import Logging
import NIOCore
import NIOEmbedded
import Testing

/// A new stream's SYN and what its initializer writes at once leave in one flush, so the
/// connection makes one write (one transport frame, one syscall) for both, not two.
@Suite struct YamuxOpenFlushTests {
    @Test func synAndTheInitializersFirstWriteShareOneFlush() throws {
        let channel = EmbeddedChannel()
        let flushes = FlushRecorder()
        try channel.pipeline.syncOperations.addHandler(flushes)
        let multiplexer = YamuxMultiplexer(
            configuration: .testing(.client), channel: channel, logger: Logger(label: "test"), inboundStreamInitializer: nil
        )
        try channel.pipeline.syncOperations.addHandler(multiplexer)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()

        let created = channel.eventLoop.makePromise(of: Channel.self)
        multiplexer.createStream(promise: created) { stream in
            // As the client's relay does: it starts reading as soon as the stream is active.
            try? stream.pipeline.syncOperations.addHandler(ReadOnActive())
            stream.writeAndFlush(ByteBuffer(bytes: [0, 22]), promise: nil)
            return stream.eventLoop.makeSucceededVoidFuture()
        }
        _ = try created.futureResult.wait()

        #expect(flushes.bytesPerFlush == [YamuxHeader.size + YamuxHeader.size + 2])
        var sent = ByteBuffer()
        while var write = try channel.readOutbound(as: ByteBuffer.self) { sent.writeBuffer(&write) }
        let headers = try frames(in: &sent).map(\.header)
        #expect(headers.count == 2)
        #expect(headers.first?.flags.contains(.syn) == true)
        #expect(headers.last?.type == .data)
    }
}

private final class ReadOnActive: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        context.read()
    }
}

/// Counts the bytes written between flushes, in front of the multiplexer.
final class FlushRecorder: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = ByteBuffer
    var bytesPerFlush: [Int] = []
    private var pending = 0

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        pending += unwrapOutboundIn(data).readableBytes
        context.write(data, promise: promise)
    }

    func flush(context: ChannelHandlerContext) {
        bytesPerFlush.append(pending)
        pending = 0
        context.flush()
    }
}
