import HyperionWire
import NIOCore
import NIOEmbedded
import Testing

@testable import HyperionMux

/// The stream channel's own behaviour: flow control, writability, options.
@Suite struct YamuxStreamChannelTests {
    @Test func aStreamThatIsNotReadStopsItsSender() throws {
        let log = StreamLog()
        let pair = try BackToBackEmbeddedChannel(serverStreamInitializer: log.installer(autoRead: false))
        let sender = Recorder()
        let channel = try pair.openStream(sender.installer())
        let payload = ByteBuffer.random(count: 1024 * 1024, seed: 11)
        channel.writeAndFlush(payload, promise: nil)
        try pair.interact()

        let receiver = log.recorders[0]
        let serverChannel = log.channels[0]
        #expect(receiver.received.readableBytes == 0, "nothing is delivered without read()")
        #expect(pair.serverMultiplexer.session.stream(1)?.receiveWindow.buffered == UInt32(256 * 1024))
        #expect(pair.clientMultiplexer.sendableBytes(1) == 0, "no credit for unread bytes")
        #expect(!channel.isWritable)
        #expect(sender.writabilityChanges == [false])

        var reads = 0
        while receiver.received.readableBytes < payload.readableBytes {
            serverChannel.read()
            try pair.interact()
            reads += 1
            #expect(reads <= 4, "each read() frees a whole window")
        }
        #expect(receiver.received == payload)
        #expect(channel.isWritable)
        #expect(sender.writabilityChanges == [false, true])
    }

    @Test func followsTheParentsWritability() throws {
        let pair = try BackToBackEmbeddedChannel()
        let recorder = Recorder()
        let channel = try pair.openStream(recorder.installer())
        pair.client.isWritable = false
        pair.client.pipeline.fireChannelWritabilityChanged()
        #expect(!channel.isWritable)
        pair.client.pipeline.fireChannelWritabilityChanged()
        #expect(recorder.writabilityChanges == [false], "no event without a change")
        pair.client.isWritable = true
        pair.client.pipeline.fireChannelWritabilityChanged()
        #expect(channel.isWritable)
        #expect(recorder.writabilityChanges == [false, true])
    }

    @Test func staysUnwritableWhileItsOwnBufferIsFull() throws {
        var client = YamuxConfiguration.testing(.client)
        client.initialWindow = 1024
        var server = YamuxConfiguration.testing(.server)
        server.initialWindow = 1024
        let log = StreamLog()
        let pair = try BackToBackEmbeddedChannel(client: client, server: server, serverStreamInitializer: log.installer(autoRead: false))
        let recorder = Recorder()
        let channel = try pair.openStream(recorder.installer())
        channel.writeAndFlush(ByteBuffer.random(count: 100_000, seed: 1), promise: nil)
        try pair.interact()
        #expect(!channel.isWritable)
        pair.client.isWritable = false
        pair.client.pipeline.fireChannelWritabilityChanged()
        pair.client.isWritable = true
        pair.client.pipeline.fireChannelWritabilityChanged()
        #expect(!channel.isWritable)
        #expect(recorder.writabilityChanges == [false])
    }

    @Test func optionsAndTheStreamID() throws {
        let pair = try BackToBackEmbeddedChannel()
        let first = try pair.openStream()
        let second = try pair.openStream()
        #expect(try first.syncOptions!.getOption(YamuxChannelOptions.streamID) == 1)
        #expect(try second.getOption(YamuxChannelOptions.streamID).wait() == 3)
        try second.syncOptions!.setOption(ChannelOptions.writeBufferWaterMark, value: .init(low: 1, high: 2))
        let waterMark = try second.syncOptions!.getOption(ChannelOptions.writeBufferWaterMark)
        #expect(waterMark.low == 1 && waterMark.high == 2)
        #expect(try second.syncOptions!.getOption(ChannelOptions.autoRead))
        #expect(throws: ChannelError.self) { try second.syncOptions!.getOption(ChannelOptions.socketOption(.so_reuseaddr)) }
        #expect(second.parent === pair.client)
    }

    @Test func refusesWritesOfOtherTypesAndInputClose() throws {
        let pair = try BackToBackEmbeddedChannel()
        let channel = try pair.openStream()
        let write = channel.writeAndFlush("not bytes")
        if case .failure(let error) = outcome(of: write) {
            #expect((error as? YamuxError)?.kind == .unsupportedWrite)
        } else {
            Issue.record("a String write must fail")
        }
        if case .failure = outcome(of: channel.close(mode: .input)) {} else { Issue.record("close(.input) must fail") }
        channel.close(mode: .output, promise: nil)
        if case .failure = outcome(of: channel.writeAndFlush(ByteBuffer(string: "x"))) {} else {
            Issue.record("writes after close(.output) must fail")
        }
    }

    @Test func queuedOpensWaitForAcks() throws {
        var client = YamuxConfiguration.testing(.client)
        client.maximumUnacknowledgedOutbound = 256
        let pair = try BackToBackEmbeddedChannel(client: client)
        var promises: [EventLoopFuture<Channel>] = []
        for _ in 0..<300 {
            let promise = pair.loop.makePromise(of: Channel.self)
            pair.clientMultiplexer.createStream(promise: promise) { $0.eventLoop.makeSucceededVoidFuture() }
            promises.append(promise.futureResult)
        }
        let firstBatch = try pair.drainOutbound(pair.client)
        var parsed = firstBatch
        let syns = try frames(in: &parsed).filter { $0.header.flags.contains(.syn) }
        #expect(syns.count == 256, "no more than 256 unacknowledged opens")
        #expect(pair.clientMultiplexer.openStreamCount == 300)
        try pair.server.writeInbound(firstBatch)
        try pair.interact()
        #expect(pair.serverMultiplexer.openStreamCount == 300)
        #expect(pair.clientMultiplexer.session.unacknowledgedOutbound == 0)
        for future in promises { #expect(try future.wait().isActive) }
    }

    /// `close(mode: .all)` after the peer's FIN ends with a FIN, a clean end. A relay whose
    /// other side failed must say the stream is incomplete: the reset event sends RST.
    @Test func theResetEventSendsRSTEvenAfterThePeersFIN() throws {
        let log = StreamLog()
        let pair = try BackToBackEmbeddedChannel(serverStreamInitializer: log.installer(halfClosure: true))
        let client = Recorder()
        let channel = try pair.openStream(client.installer(halfClosure: true))
        try pair.interact()
        log.channels[0].close(mode: .output, promise: nil)
        try pair.interact()
        #expect(client.events.contains(.inputClosed))

        channel.triggerUserOutboundEvent(YamuxStreamReset(), promise: nil)
        var sent = try pair.drainOutbound(pair.client)
        let rst = try frames(in: &sent).filter { $0.header.flags.contains(.rst) }
        #expect(rst.count == 1, "one RST for the stream")
        #expect(!channel.isActive)
        try pair.server.writeInbound(rst[0].header.bytes())
        try pair.interact()
        #expect(log.recorders[0].errors.contains { ($0 as? YamuxError)?.kind == .streamReset })
    }
}
