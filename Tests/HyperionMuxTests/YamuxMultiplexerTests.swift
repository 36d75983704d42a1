@testable import HyperionMux
import HyperionWire
import NIOCore
import NIOEmbedded
import Testing

/// A client and a server multiplexer talking to each other over embedded channels.
@Suite struct YamuxMultiplexerTests {
    @Test func echoesManyStreamsByteExact() throws {
        let pair = try BackToBackEmbeddedChannel()
        var streams: [(channel: Channel, recorder: Recorder, payload: ByteBuffer)] = []
        for index in 0..<24 {
            let recorder = Recorder()
            let channel = try pair.openStream(recorder.installer())
            let size = index == 0 ? 3 * 1024 * 1024 : (index * 7919) % 300_000 + 1
            let payload = ByteBuffer.random(count: size, seed: UInt64(index))
            channel.writeAndFlush(payload, promise: nil)
            streams.append((channel, recorder, payload))
        }
        try pair.interact()
        for stream in streams {
            #expect(stream.recorder.received == stream.payload)
        }
        #expect(pair.serverMultiplexer.openStreamCount == 24)
    }

    @Test func movesSeveralMebibytesThroughOneStreamCutAnywhere() throws {
        let pair = try BackToBackEmbeddedChannel()
        pair.chunkSize = 1_000
        let recorder = Recorder()
        let channel = try pair.openStream(recorder.installer())
        let payload = ByteBuffer.random(count: 2 * 1024 * 1024 + 17, seed: 7)
        var offset = 0
        while offset < payload.readableBytes {
            let length = min(100_000, payload.readableBytes - offset)
            channel.write(payload.getSlice(at: offset, length: length)!, promise: nil)
            offset += length
        }
        channel.flush()
        try pair.interact()
        #expect(recorder.received == payload)
    }

    @Test func autoTuningGrowsTheWindowOnceThereIsARoundTripTime() throws {
        var server = YamuxConfiguration.testing(.server)
        server.measuresRoundTripTimeOnStart = true
        server.maximumReceiveWindow = 2 * 1024 * 1024
        let pair = try BackToBackEmbeddedChannel(server: server)
        pair.loop.advanceTime(by: .milliseconds(50))
        try pair.interact()
        #expect(pair.serverMultiplexer.smoothedRoundTripTime == .milliseconds(50))

        let recorder = Recorder()
        let channel = try pair.openStream(recorder.installer())
        let payload = ByteBuffer.random(count: 8 * 1024 * 1024, seed: 3)
        channel.writeAndFlush(payload, promise: nil)
        try pair.interact()
        #expect(recorder.received == payload)
        let streamID = try channel.syncOptions!.getOption(YamuxChannelOptions.streamID)
        #expect(pair.serverMultiplexer.session.stream(streamID)?.receiveWindow.target == UInt32(2 * 1024 * 1024))
    }

    @Test func halfCloseStillReceivesTheReply() throws {
        let pair = try BackToBackEmbeddedChannel()
        let recorder = Recorder()
        let channel = try pair.openStream(recorder.installer(halfClosure: true))
        channel.writeAndFlush(ByteBuffer(string: "hello"), promise: nil)
        let closed = channel.close(mode: .output)
        try pair.interact()
        #expect(try outcome(of: closed)?.get() != nil)
        #expect(recorder.received == ByteBuffer(string: "hello"))
        #expect(recorder.events == [.outputClosed, .inputClosed])
        #expect(recorder.wasInactive, "FIN both ways ends the stream")
        #expect(recorder.errors.isEmpty)
        #expect(pair.clientMultiplexer.openStreamCount == 0)
        #expect(pair.serverMultiplexer.openStreamCount == 0)
    }

    @Test func closeWithoutHalfClosureResetsAndThePeerSeesIt() throws {
        let log = StreamLog()
        let pair = try BackToBackEmbeddedChannel(serverStreamInitializer: log.installer())
        let channel = try pair.openStream()
        channel.writeAndFlush(ByteBuffer(string: "x"), promise: nil)
        try pair.interact()
        channel.close(promise: nil)
        try pair.interact()
        let server = try #require(log.recorders.first)
        #expect(server.received == ByteBuffer(string: "x"))
        #expect((server.errors.first as? YamuxError)?.kind == .streamReset)
        #expect(server.wasInactive)
        if case .failure(let error) = outcome(of: log.channels[0].closeFuture) {
            #expect((error as? YamuxError)?.kind == .streamReset)
        } else {
            Issue.record("the reset stream's close future must fail")
        }
        #expect(pair.serverMultiplexer.openStreamCount == 0)
    }

    @Test func aServerResetReachesTheClient() throws {
        let log = StreamLog()
        let pair = try BackToBackEmbeddedChannel(serverStreamInitializer: log.installer())
        let recorder = Recorder()
        let channel = try pair.openStream(recorder.installer())
        let write = channel.writeAndFlush(ByteBuffer(string: "late"))
        log.channels[0].close(promise: nil)
        try pair.interact()
        #expect((recorder.errors.first as? YamuxError)?.kind == .streamReset)
        #expect(recorder.wasInactive && !channel.isActive)
        #expect(try outcome(of: write)?.get() != nil, "the write left before the reset arrived")
        #expect(pair.clientMultiplexer.openStreamCount == 0)
    }

    @Test func peerFinWithoutHalfClosureClosesTheStream() throws {
        let log = StreamLog()
        let pair = try BackToBackEmbeddedChannel(serverStreamInitializer: log.installer(halfClosure: false))
        let channel = try pair.openStream()
        channel.close(mode: .output, promise: nil)
        try pair.interact()
        #expect(log.recorders[0].wasInactive && log.recorders[0].errors.isEmpty)
        #expect(!channel.isActive, "the server answered with FIN: closed both ways")
        #expect(pair.clientMultiplexer.openStreamCount == 0)
    }

    @Test func pingMeasuresTheRoundTrip() throws {
        let pair = try BackToBackEmbeddedChannel()
        let promise = pair.loop.makePromise(of: TimeAmount.self)
        pair.clientMultiplexer.ping(promise: promise)
        pair.loop.advanceTime(by: .milliseconds(40))
        try pair.interact()
        #expect(try promise.futureResult.wait() == .milliseconds(40))
        #expect(pair.clientMultiplexer.smoothedRoundTripTime == .milliseconds(40))
    }

    /// `announce` sends a ping with the caller's value; the peer answers it like any ping
    /// and reports the value on its pipeline; the answer is dropped quietly, and ordinary
    /// pings keep measuring round trips.
    @Test func announcedPingIsAnsweredAndReportedOnThePeersPipeline() throws {
        let pair = try BackToBackEmbeddedChannel()
        let events = SessionEventRecorder()
        try pair.client.pipeline.syncOperations.addHandler(events)
        pair.serverMultiplexer.announce(opaque: 0x4859_4544)
        try pair.interact()
        #expect(events.events.compactMap { $0 as? YamuxSessionEvent } == [.pingReceived(opaque: 0x4859_4544)])

        let promise = pair.loop.makePromise(of: TimeAmount.self)
        pair.serverMultiplexer.ping(promise: promise)
        pair.loop.advanceTime(by: .milliseconds(10))
        try pair.interact()
        #expect(try promise.futureResult.wait() == .milliseconds(10))
        #expect(pair.client.isActive && pair.server.isActive)
    }

    @Test func goAwayStopsNewStreamsWhileOldOnesFinish() throws {
        let pair = try BackToBackEmbeddedChannel()
        let events = SessionEventRecorder()
        try pair.client.pipeline.syncOperations.addHandler(events)
        let recorder = Recorder()
        let channel = try pair.openStream(recorder.installer())
        pair.serverMultiplexer.goAway(code: .normal)
        try pair.interact()
        #expect(events.events.compactMap { $0 as? YamuxSessionEvent } == [.goAwayReceived(code: 0)])

        let refused = pair.loop.makePromise(of: Channel.self)
        pair.clientMultiplexer.createStream(promise: refused) { $0.eventLoop.makeSucceededVoidFuture() }
        if case .failure(let error) = outcome(of: refused.futureResult) {
            #expect((error as? YamuxError)?.kind == .sessionGoingAway)
        } else {
            Issue.record("createStream must fail after go away")
        }

        channel.writeAndFlush(ByteBuffer(string: "still here"), promise: nil)
        try pair.interact()
        #expect(recorder.received == ByteBuffer(string: "still here"))
        let drained = pair.clientMultiplexer.allStreamsClosed
        #expect(outcome(of: drained) == nil)
        channel.close(promise: nil)
        try pair.interact()
        #expect(outcome(of: drained) != nil)
    }

    @Test func closingTheConnectionClosesEveryStream() throws {
        let pair = try BackToBackEmbeddedChannel()
        let recorders = [Recorder(), Recorder()]
        let channels = try recorders.map { try pair.openStream($0.installer()) }
        try pair.client.close().wait()
        pair.loop.run()
        for (recorder, channel) in zip(recorders, channels) {
            #expect(recorder.wasInactive)
            #expect((recorder.errors.first as? YamuxError)?.kind == .connectionClosed)
            if case .failure = outcome(of: channel.closeFuture) {} else { Issue.record("close future must fail") }
        }
        #expect(pair.clientMultiplexer.openStreamCount == 0)
    }
}
