import NIOCore
import NIOEmbedded
import Testing
import HyperionMux
@testable import HyperionTunnel

@Suite struct StreamOpenerTests {
    /// An opener with a recorder behind it, standing in for the hold and the relay.
    func open(_ mode: StreamOpener.Mode = .awaitAnswer, behind relay: InboundRecorder = InboundRecorder()) throws -> (EmbeddedChannel, EventLoopFuture<OpenedStream>) {
        let channel = EmbeddedChannel()
        let answered = channel.eventLoop.makePromise(of: OpenedStream.self)
        try channel.pipeline.syncOperations.addHandler(StreamOpener(port: 22, timeout: .seconds(5), mode: mode, opened: answered))
        try channel.pipeline.syncOperations.addHandler(relay)
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [0, 22]))
        return (channel, answered.futureResult)
    }

    @Test func passesBytesThatCameWithTheAnswerOnAndStepsAside() throws {
        let relay = InboundRecorder()
        let (channel, opened) = try open(behind: relay)
        try channel.writeInbound(ByteBuffer(bytes: [0, 0x53, 0x53, 0x48]))
        _ = try opened.wait()
        #expect(relay.received == [ByteBuffer(bytes: [0x53, 0x53, 0x48])])
        #expect(throws: Error.self) { try channel.pipeline.syncOperations.handler(type: StreamOpener.self) }
    }

    /// Regression (OpenSSH through the tunnel, in CI): the answer and the service's first
    /// bytes (sshd's banner, sent at once) can arrive as two reads of one delivery. The
    /// second read must be kept as data, not parsed as a second answer ("byte 83").
    @Test func dataInALaterReadOfTheSameDeliveryIsData() throws {
        let relay = InboundRecorder()
        let (channel, opened) = try open(behind: relay)
        try channel.writeInbound(ByteBuffer(bytes: [0]))
        try channel.writeInbound(ByteBuffer(bytes: [0x53, 0x53, 0x48]))
        _ = try opened.wait()
        #expect(relay.received == [ByteBuffer(bytes: [0x53, 0x53, 0x48])])
    }

    /// Regression: a server that answers, sends a little and closes at once delivers the
    /// answer, the data and the end of input in one go; the end of input must reach the
    /// hold, or the local client never sees EOF.
    @Test func anEndOfInputThatCameWithTheAnswerGoesOn() throws {
        let relay = InboundRecorder()
        let (channel, opened) = try open(behind: relay)
        try channel.writeInbound(ByteBuffer(bytes: [0, 1]))
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        _ = try opened.wait()
        #expect(relay.received == [ByteBuffer(bytes: [1])])
        #expect(relay.inputClosed)
    }

    @Test func deniedAndUnreachableFailWithTheReason() throws {
        for (byte, text) in [(UInt8(1), "denied port 22"), (2, "could not reach 127.0.0.1:22")] {
            let relay = InboundRecorder()
            let (channel, opened) = try open(behind: relay)
            try channel.writeInbound(ByteBuffer(bytes: [byte, 7]))
            #expect { try opened.wait() } throws: { "\($0)".contains(text) }
            #expect(!channel.isActive)
            #expect(relay.received.isEmpty, "nothing after a refusal is relayed")
        }
    }

    /// A server at its stream limit resets the stream instead of answering (yamux RST
    /// before ACK); the reason names the limit.
    @Test func aStreamRefusedByTheServersLimitSaysSo() throws {
        let (channel, opened) = try open()
        channel.pipeline.fireErrorCaught(YamuxError(.streamRefused, "the peer refused stream 3"))
        #expect { try opened.wait() } throws: { "\($0)".contains("max_streams_per_connection") }
        #expect(!channel.isActive)
    }

    @Test func anEndWithoutAnAnswerFailsIt() throws {
        let (channel, opened) = try open()
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect { try opened.wait() } throws: { "\($0)".contains("without answering") }
        #expect(!channel.isActive)
    }

    @Test func silentServerTimesOut() throws {
        let (channel, opened) = try open()
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect { try opened.wait() } throws: { "\($0)".contains("did not answer") }
    }

    // MARK: early data (the server announced it)

    /// The stream is handed over as soon as it is active, before any answer, so the relay
    /// can send right behind the port request.
    @Test func earlyDataHandsTheStreamOverBeforeTheAnswer() throws {
        let (_, opened) = try open(.relayAtOnce)
        let stream = try opened.wait()
        #expect(outcome(of: stream.answer) == nil, "the answer is still to come")
    }

    @Test func earlyDataTakesTheAnswerOffAndPassesTheRestToTheRelay() throws {
        let relay = InboundRecorder()
        let (channel, opened) = try open(.relayAtOnce, behind: relay)
        let stream = try opened.wait()
        try channel.writeInbound(ByteBuffer(bytes: [0, 0x53, 0x53]))
        try channel.writeInbound(ByteBuffer(bytes: [0x48]))
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(relay.received == [ByteBuffer(bytes: [0x53, 0x53]), ByteBuffer(bytes: [0x48])])
        #expect(relay.inputClosed)
        #expect(try outcome(of: stream.answer)?.get() != nil)
        #expect(throws: Error.self) { try channel.pipeline.syncOperations.handler(type: StreamOpener.self) }
    }

    @Test func earlyDataAnswerAloneReachesTheRelayAsNothing() throws {
        let relay = InboundRecorder()
        let (channel, opened) = try open(.relayAtOnce, behind: relay)
        let stream = try opened.wait()
        try channel.writeInbound(ByteBuffer(bytes: [0]))
        #expect(relay.received.isEmpty)
        #expect(try outcome(of: stream.answer)?.get() != nil)
        #expect(channel.isActive)
    }

    @Test func earlyDataRefusalFailsTheAnswerAndClosesTheStream() throws {
        for (byte, text) in [(UInt8(1), "denied port 22"), (2, "could not reach 127.0.0.1:22")] {
            let relay = InboundRecorder()
            let (channel, opened) = try open(.relayAtOnce, behind: relay)
            let stream = try opened.wait()
            try channel.writeInbound(ByteBuffer(bytes: [byte, 9, 9]))
            channel.embeddedEventLoop.run()
            #expect { try stream.answer.wait() } throws: { "\($0)".contains(text) }
            #expect(relay.received.isEmpty, "nothing after a refusal is relayed")
            #expect(relay.errors == 1, "the relay learns of the failure, to reset the local connection")
            #expect(!channel.isActive)
        }
    }

    @Test func earlyDataEndWithoutAnAnswerFailsIt() throws {
        let relay = InboundRecorder()
        let (channel, opened) = try open(.relayAtOnce, behind: relay)
        let stream = try opened.wait()
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect { try stream.answer.wait() } throws: { "\($0)".contains("without answering") }
        #expect(!channel.isActive)
    }

    @Test func earlyDataSilentServerTimesOut() throws {
        let relay = InboundRecorder()
        let (channel, opened) = try open(.relayAtOnce, behind: relay)
        let stream = try opened.wait()
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect { try stream.answer.wait() } throws: { "\($0)".contains("did not answer") }
        #expect(!channel.isActive)
    }
}

/// Stands in for the relay behind the opener.
final class InboundRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    var received: [ByteBuffer] = []
    var inputClosed = false
    var errors = 0

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        errors += 1
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received.append(unwrapInboundIn(data))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent { inputClosed = true }
    }
}

/// The result of a future on the embedded loop, without waiting.
private func outcome<Value>(of future: EventLoopFuture<Value>) -> Result<Value, Error>? {
    nonisolated(unsafe) var result: Result<Value, Error>?
    future.whenComplete { result = $0 }
    return result
}
