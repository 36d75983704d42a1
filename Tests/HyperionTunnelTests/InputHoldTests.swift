import NIOCore
import NIOEmbedded
import NIOPosix
import Testing
@testable import HyperionTunnel

@Suite struct InputHoldTests {
    /// Records what reaches the end of the pipeline.
    final class Recorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var bytes: [UInt8] = []
        var inputClosed = false
        var readCompletes = 0
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            bytes += Array(buffer: unwrapInboundIn(data))
        }
        func channelReadComplete(context: ChannelHandlerContext) { readCompletes += 1 }
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent { inputClosed = true }
        }
    }

    @Test func holdsBytesAndEndOfInputUntilRemovedThenHandsThemOnInOrder() throws {
        let channel = EmbeddedChannel()
        let buffer = InputHold()
        try channel.pipeline.syncOperations.addHandler(buffer)
        try channel.writeInbound(ByteBuffer(string: "GET "))
        try channel.writeInbound(ByteBuffer(string: "/ HTTP/1.0\r\n\r\n"))
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil, "nothing may pass before the relay exists")

        let recorder = Recorder()
        try channel.pipeline.syncOperations.addHandler(recorder)
        #expect(recorder.bytes.isEmpty)
        try channel.pipeline.syncOperations.removeHandler(buffer).wait()
        #expect(String(decoding: recorder.bytes, as: UTF8.self) == "GET / HTTP/1.0\r\n\r\n")
        #expect(recorder.inputClosed)
        #expect(recorder.readCompletes == 1)
        _ = try channel.finish()
    }

    @Test func removedEmptyPassesNothingAndLaterReadsFlowThrough() throws {
        let channel = EmbeddedChannel()
        let buffer = InputHold()
        let recorder = Recorder()
        try channel.pipeline.syncOperations.addHandler(buffer)
        try channel.pipeline.syncOperations.addHandler(recorder)
        try channel.pipeline.syncOperations.removeHandler(buffer).wait()
        #expect(recorder.bytes.isEmpty && !recorder.inputClosed && recorder.readCompletes == 0)
        try channel.writeInbound(ByteBuffer(string: "later"))
        #expect(String(decoding: recorder.bytes, as: UTF8.self) == "later")
        _ = try channel.finish()
    }

    /// One reason the hold exists: with autoRead off, NIO still reads a socket whose
    /// peer has sent its FIN, and delivers those bytes at once. Without a hold they
    /// reach the pipeline's tail before any relay exists and are lost.
    @Test func nioDrainsAnAcceptedSocketAtEndOfInputEvenWithAutoReadOff() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let accepted = group.next().makePromise(of: Channel.self)
        let server = try await ServerBootstrap(group: group)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(InputHold())
                    accepted.succeed(channel)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let client = try await ClientBootstrap(group: group).connect(to: server.localAddress!).get()
        try await client.writeAndFlush(ByteBuffer(string: "tiny request")).get()
        try await client.close(mode: .output).get()
        let local = try await accepted.futureResult.get()
        // Give the EOF notification time to arrive and be drained.
        try await Task.sleep(for: .milliseconds(200))

        let recorder = try await local.eventLoop.submit {
            let recorder = Recorder()
            try local.pipeline.syncOperations.addHandler(recorder)
            let buffer = try local.pipeline.syncOperations.handler(type: InputHold.self)
            local.pipeline.syncOperations.removeHandler(buffer, promise: nil)
            return UncheckedTransfer(recorder)
        }.get()
        let (bytes, closed) = try await local.eventLoop.submit { (recorder.value.bytes, recorder.value.inputClosed) }.get()
        #expect(String(decoding: bytes, as: UTF8.self) == "tiny request")
        #expect(closed)
        try await client.close()
        try await server.close()
    }
}
