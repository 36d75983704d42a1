import NIOCore
import NIOEmbedded
import Testing
@testable import HyperionTunnel

@Suite struct StreamOpenerTests {
    func open() throws -> (EmbeddedChannel, EventLoopFuture<OpenedStream>) {
        let channel = EmbeddedChannel()
        let answered = channel.eventLoop.makePromise(of: OpenedStream.self)
        try channel.pipeline.syncOperations.addHandler(StreamOpener(port: 22, timeout: .seconds(5), answered: answered))
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [0, 22]))
        return (channel, answered.futureResult)
    }

    @Test func keepsBytesThatCameWithTheAnswer() throws {
        let (channel, opened) = try open()
        try channel.writeInbound(ByteBuffer(bytes: [0, 0x53, 0x53, 0x48]))
        channel.embeddedEventLoop.run()  // the opener settles once the delivery is over
        let stream = try opened.wait()
        #expect(stream.leftover == ByteBuffer(bytes: [0x53, 0x53, 0x48]))
        #expect(!stream.inputClosed)
    }

    /// Regression (OpenSSH through the tunnel, in CI): the answer and the service's first
    /// bytes (sshd's banner, sent at once) can arrive as two reads of one delivery. The
    /// second read must be kept as data, not parsed as a second answer ("byte 83").
    @Test func keepsDataThatArrivesInALaterReadOfTheSameDelivery() throws {
        let (channel, opened) = try open()
        try channel.writeInbound(ByteBuffer(bytes: [0]))
        try channel.writeInbound(ByteBuffer(bytes: [0x53, 0x53, 0x48]))
        channel.embeddedEventLoop.run()
        let stream = try opened.wait()
        #expect(stream.leftover == ByteBuffer(bytes: [0x53, 0x53, 0x48]))
    }

    /// Regression: a server that answers, sends a little and closes at once delivers the
    /// answer, the data and the end of input in one go; the end of input must not be lost
    /// before the relay is in place, or the local client never sees EOF.
    @Test func remembersAnEndOfInputThatCameWithTheAnswer() throws {
        let (channel, opened) = try open()
        try channel.writeInbound(ByteBuffer(bytes: [0, 1]))
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        let stream = try opened.wait()
        #expect(stream.inputClosed)
    }

    @Test func deniedAndUnreachableFailWithTheReason() throws {
        for (byte, text) in [(UInt8(1), "denied port 22"), (2, "could not reach 127.0.0.1:22")] {
            let (channel, opened) = try open()
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
            channel.embeddedEventLoop.run()
            #expect { try opened.wait() } throws: { "\($0)".contains(text) }
            #expect(!channel.isActive)
        }
    }

    @Test func silentServerTimesOut() throws {
        let (channel, opened) = try open()
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect { try opened.wait() } throws: { "\($0)".contains("did not answer") }
    }
}
