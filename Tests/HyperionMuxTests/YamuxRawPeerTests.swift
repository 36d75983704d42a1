import HyperionWire
import NIOCore
import NIOEmbedded
import Testing

@testable import HyperionMux

/// Our server multiplexer against a hand-written peer, for the interoperability corners.
@Suite struct YamuxRawPeerTests {
    @Test func synOnTheFirstDataFrameIsAckedAndDelivered() throws {
        let peer = try RawPeer()
        try peer.send(.data(1, .syn, length: 2), payload: [0x1F, 0x90])
        #expect(try peer.headers() == [.window(1, .ack)])
        #expect(peer.log.recorders.first?.received == ByteBuffer(bytes: [0x1F, 0x90]))
    }

    @Test func synOnAWindowUpdateIsAckedBeforeTheApplicationAnswers() throws {
        let peer = try RawPeer(initializer: { channel in
            // An initializer that takes its time: the ACK must not wait for it.
            channel.eventLoop.scheduleTask(in: .seconds(1)) {}.futureResult
        })
        try peer.send(.window(1, .syn))
        #expect(try peer.headers() == [.window(1, .ack)])
    }

    @Test func dataThatArrivesDuringASlowInitializerIsDeliveredAfterIt() throws {
        let recorder = Recorder()
        let peer = try RawPeer(initializer: { channel in
            channel.eventLoop.scheduleTask(in: .seconds(1)) {}.futureResult.flatMap {
                recorder.installer()(channel)
            }
        })
        try peer.send(.data(1, .syn, length: 3), payload: [1, 2, 3])
        try peer.send(.data(1, .fin, length: 2), payload: [4, 5])
        #expect(recorder.received.readableBytes == 0)
        peer.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(recorder.received == ByteBuffer(bytes: [1, 2, 3, 4, 5]))
        #expect(recorder.wasInactive, "the FIN followed the data; without half-closure the stream closed")
        #expect(try peer.headers() == [.window(1, .ack), .window(1, .fin)])
    }

    @Test func servesThreeHundredStreamsOpenedBeforeAnyAck() throws {
        let peer = try RawPeer()
        var burst = ByteBuffer()
        for index in 0..<300 {
            var frame = YamuxHeader.window(UInt32(2 * index + 1), .syn).bytes()
            burst.writeBuffer(&frame)
        }
        try peer.send(burst)
        let headers = try peer.headers()
        #expect(headers.count == 300)
        #expect(headers.allSatisfy { $0.flags == .ack && $0.type == .windowUpdate })
        #expect(peer.multiplexer.openStreamCount == 300)
    }

    @Test func windowUpdatesLargerThanTheInitialWindowAreUsed() throws {
        let payload = ByteBuffer.random(count: 1024 * 1024, seed: 5)
        let peer = try RawPeer(initializer: { channel in
            channel.writeAndFlush(payload, promise: nil)
            return channel.eventLoop.makeSucceededVoidFuture()
        })
        try peer.send(.window(1, .syn, delta: 16 * 1024 * 1024))
        let frames = try peer.frames()
        let data = frames.filter { $0.header.type == .data }
        #expect(data.allSatisfy { $0.header.length <= 64 * 1024 })
        var received = ByteBuffer()
        for frame in data { var bytes = frame.payload!; received.writeBuffer(&bytes) }
        #expect(received == payload, "the whole megabyte went out without waiting for credit")
    }

    @Test func dataPayloadsLeaveAsTheirOwnWrite() throws {
        let payload = ByteBuffer.random(count: 1000, seed: 9)
        let peer = try RawPeer(initializer: { channel in
            channel.writeAndFlush(payload, promise: nil)
            return channel.eventLoop.makeSucceededVoidFuture()
        })
        try peer.send(.window(1, .syn))
        let writes = try peer.writes()
        #expect(writes.count == 3)
        #expect(writes[1].readableBytes == 12)
        let sameStorage = writes[2].withUnsafeReadableBytes { sent in
            payload.withUnsafeReadableBytes { original in sent.baseAddress == original.baseAddress }
        }
        #expect(sameStorage, "the payload was not copied")
    }

    @Test func pingsAreAnswered() throws {
        let peer = try RawPeer()
        try peer.send(.ping(.syn, opaque: 0x0102_0304))
        #expect(try peer.headers() == [.ping(.ack, opaque: 0x0102_0304)])
    }

    @Test func overrunningAStreamResetsItButKeepsTheSession() throws {
        let peer = try RawPeer()
        try peer.send(.data(1, .syn, length: 0))
        try peer.send(.data(1, length: 256 * 1024 + 1), payload: Array(repeating: 7, count: 256 * 1024 + 1))
        #expect(try peer.headers() == [.window(1, .ack), .window(1, .rst)])
        #expect((peer.log.recorders[0].errors.first as? YamuxError)?.kind == .windowExceeded)
        try peer.send(.data(1, length: 3), payload: [1, 2, 3])
        try peer.send(.ping(.syn, opaque: 1))
        #expect(try peer.headers() == [.ping(.ack, opaque: 1)], "stale data is dropped, the session lives")
        #expect(peer.channel.isActive)
    }

    @Test func framesAfterTheServerResetAreIgnored() throws {
        let peer = try RawPeer()
        try peer.send(.window(1, .syn))
        peer.log.channels[0].close(promise: nil)
        #expect(try peer.headers() == [.window(1, .ack), .window(1, .rst)])
        try peer.send(.data(1, length: 4), payload: [1, 2, 3, 4])
        try peer.send(.window(1, .fin, delta: 100))
        #expect(try peer.headers().isEmpty)
        #expect(peer.channel.isActive)
    }

    @Test func peerFinWithoutHalfClosureIsAnsweredWithFin() throws {
        let peer = try RawPeer()
        try peer.send(.window(1, .syn))
        try peer.send(.window(1, .fin))
        #expect(peer.log.recorders[0].wasInactive && peer.log.recorders[0].errors.isEmpty)
        #expect(try peer.headers() == [.window(1, .ack), .window(1, .fin)])
    }

    @Test func closeWithUnsentDataAfterThePeersFinResets() throws {
        var configuration = YamuxConfiguration.testing(.server)
        configuration.initialWindow = 10
        let log = StreamLog()
        let peer = try RawPeer(configuration: configuration, log: log, initializer: log.installer(halfClosure: true))
        try peer.send(.window(1, .syn))
        let write = log.channels[0].writeAndFlush(ByteBuffer(repeating: 1, count: 100))
        try peer.send(.window(1, .fin))
        #expect(log.recorders[0].events == [.inputClosed])
        log.channels[0].close(promise: nil)
        #expect(try peer.headers() == [.window(1, .ack), .data(1, length: 10), .window(1, .rst)])
        if case .failure = outcome(of: write) {} else { Issue.record("the unsent write must fail") }
    }

    @Test func closeWithNothingPendingAfterThePeersFinSendsFin() throws {
        let log = StreamLog()
        let peer = try RawPeer(log: log, initializer: log.installer(halfClosure: true))
        try peer.send(.window(1, .syn))
        try peer.send(.data(1, .fin, length: 1), payload: [9])
        #expect(log.recorders[0].events == [.inputClosed] && !log.recorders[0].wasInactive)
        log.channels[0].close(promise: nil)
        #expect(try peer.headers() == [.window(1, .ack), .window(1, .fin)])
        #expect(log.recorders[0].errors.isEmpty && peer.multiplexer.openStreamCount == 0)
    }

    @Test func streamsBeyondTheLimitAreResetNotTheSession() throws {
        var configuration = YamuxConfiguration.testing(.server)
        configuration.maximumStreams = 3
        let peer = try RawPeer(configuration: configuration)
        for id in [1, 3, 5, 7] as [UInt32] { try peer.send(.window(id, .syn)) }
        #expect(try peer.headers() == [.window(1, .ack), .window(3, .ack), .window(5, .ack), .window(7, .rst)])
        #expect(peer.channel.isActive)
    }

    /// hashicorp/yamux's concurrent opens put SYNs on the wire in any order, and a stream it
    /// already dropped may still get data: the payload of data for an unknown stream is
    /// skipped (here it looks like a go away header), the session stays up.
    @Test func synsInAnyOrderAndDataForUnknownStreamsKeepTheSessionUp() throws {
        let peer = try RawPeer()
        var burst = ByteBuffer()
        let decoy = YamuxHeader.goAway(.protocolError).bytes().readableBytesView.map { $0 }
        for var frame in [
            YamuxHeader.window(5, .syn).bytes(), YamuxHeader.data(99, length: 12).bytes(payload: decoy),
            YamuxHeader.window(1, .syn).bytes(), YamuxHeader.data(3, .syn, length: 2).bytes(payload: [0, 22]),
        ] {
            burst.writeBuffer(&frame)
        }
        try peer.send(burst)
        #expect(try peer.headers() == [.window(5, .ack), .window(1, .ack), .window(3, .ack)])
        #expect(peer.channel.isActive && peer.multiplexer.openStreamCount == 3)
    }

    /// Refusals at the limit are visible at the default level (notice), at most one line a
    /// second per connection; a summary still due when the connection closes comes on time.
    @Test func refusalsAreLoggedAtNoticeAtMostOnceASecond() throws {
        let capture = LogCapture()
        let peer = try RawPeer(configuration: .testing(.server) { $0.maximumStreams = 1 }, logger: capture.logger)
        let loop = peer.channel.embeddedEventLoop
        for id in stride(from: 1, through: 41, by: 2) { try peer.send(.window(UInt32(id), .syn)) }
        #expect(capture.lines == [.init(level: .notice, message: "refused stream 3 opened by the peer at the limit of 1 open streams per connection")])
        loop.advanceTime(by: .milliseconds(999))
        #expect(capture.lines.count == 1)
        loop.advanceTime(by: .milliseconds(1))
        #expect(capture.lines.last == .init(level: .notice, message: "refused 19 streams opened by the peer in the last second: 19 at the limit of 1 open streams per connection"))

        try peer.send(.window(43, .syn))
        try peer.channel.close().wait()
        #expect(capture.lines.count == 2, "within a second of the summary")
        loop.advanceTime(by: .seconds(1))
        #expect(capture.lines.count == 3)
        #expect(capture.lines.allSatisfy { $0.level == .notice })
    }

    @Test(arguments: [
        [UInt8](repeating: 0xFF, count: 12),  // version 255
        YamuxHeader.window(2, .syn).bytes().readableBytesView.map { $0 },  // server parity
        YamuxHeader.data(0, length: 1).bytes(payload: [0]).readableBytesView.map { $0 },  // session id
        YamuxHeader.data(1, .syn, length: 17 * 1024 * 1024).bytes().readableBytesView.map { $0 },  // beyond any window
    ])
    func protocolErrorsSendGoAwayAndClose(_ bytes: [UInt8]) throws {
        let peer = try RawPeer()
        let closed = peer.channel.closeFuture
        try? peer.send(ByteBuffer(bytes: bytes))
        #expect(try peer.headers() == [.goAway(.protocolError)])
        #expect(!peer.channel.isActive)
        peer.channel.embeddedEventLoop.run()
        #expect(outcome(of: closed) != nil)
    }

    @Test func goAwayFromThePeerIsReported() throws {
        let peer = try RawPeer()
        let events = SessionEventRecorder()
        try peer.channel.pipeline.syncOperations.addHandler(events)
        try peer.send(.goAway(.normal))
        #expect(events.events.compactMap { $0 as? YamuxSessionEvent } == [.goAwayReceived(code: 0)])
        #expect(outcome(of: peer.multiplexer.allStreamsClosed) != nil)
    }
}
