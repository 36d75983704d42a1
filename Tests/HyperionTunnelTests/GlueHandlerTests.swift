import NIOCore
import NIOEmbedded
import NIOPosix
import Testing
@testable import HyperionTunnel

@Suite struct GlueHandlerTests {
    /// Counts `read()` calls and records close modes instead of closing.
    final class Probe: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var reads = 0
        var closes: [CloseMode] = []
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
        func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
            closes.append(mode)
            promise?.succeed(())
        }
    }

    struct Glued {
        let a: EmbeddedChannel
        let b: EmbeddedChannel
        let probeA = Probe()
        let probeB = Probe()
    }

    func glue(sameLoop: Bool) throws -> Glued {
        let loopA = EmbeddedEventLoop()
        let loopB = sameLoop ? loopA : EmbeddedEventLoop()
        let glued = Glued(a: EmbeddedChannel(loop: loopA), b: EmbeddedChannel(loop: loopB))
        let (first, second) = GlueHandler.matchedPair(firstLoop: loopA, secondLoop: loopB)
        try glued.a.pipeline.syncOperations.addHandler(glued.probeA)
        try glued.b.pipeline.syncOperations.addHandler(glued.probeB)
        try glued.a.pipeline.syncOperations.addHandler(first)
        try glued.b.pipeline.syncOperations.addHandler(second)
        loopA.run()
        loopB.run()
        return glued
    }

    func run(_ glued: Glued) {
        (glued.a.eventLoop as! EmbeddedEventLoop).run()
        (glued.b.eventLoop as! EmbeddedEventLoop).run()
    }

    @Test(arguments: [true, false])
    func relaysBytesBothWays(sameLoop: Bool) throws {
        let glued = try glue(sameLoop: sameLoop)
        try glued.a.writeInbound(ByteBuffer(bytes: [1, 2, 3]))
        glued.a.pipeline.fireChannelReadComplete()
        run(glued)
        #expect(try glued.b.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [1, 2, 3]))
        try glued.b.writeInbound(ByteBuffer(bytes: [9]))
        glued.b.pipeline.fireChannelReadComplete()
        run(glued)
        #expect(try glued.a.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [9]))
    }

    @Test(arguments: [true, false])
    func readsStopWhileThePartnerIsUnwritable(sameLoop: Bool) throws {
        let glued = try glue(sameLoop: sameLoop)
        glued.a.read()
        run(glued)
        #expect(glued.probeA.reads == 1)

        glued.b.isWritable = false
        glued.b.pipeline.fireChannelWritabilityChanged()
        run(glued)
        glued.a.read()
        run(glued)
        #expect(glued.probeA.reads == 1, "A must not read while B cannot take more")

        glued.b.isWritable = true
        glued.b.pipeline.fireChannelWritabilityChanged()
        run(glued)
        #expect(glued.probeA.reads == 2, "the withheld read happens once B drains")
    }

    @Test(arguments: [true, false])
    func endOfInputBecomesAHalfCloseAfterPendingWrites(sameLoop: Bool) throws {
        let glued = try glue(sameLoop: sameLoop)
        try glued.a.writeInbound(ByteBuffer(bytes: [5, 5]))
        glued.a.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        run(glued)
        // The data, then an empty write that marks where the data ends, then the half-close.
        #expect(try glued.b.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [5, 5]))
        #expect(try glued.b.readOutbound(as: ByteBuffer.self)?.readableBytes == 0)
        run(glued)
        #expect(glued.probeB.closes == [.output])
        #expect(glued.probeA.closes.isEmpty, "A's own output stays open: B may still answer")
    }

    /// Regression: a socket that finished both directions goes inactive; its partner must
    /// only get the EOF and finish sending what it still holds. NIO closes a socket whose
    /// output is already shut as soon as EOF arrives, without an `inputClosed` event, and
    /// treating that as an abort sent a yamux RST that cut off the tail of replies that
    /// were waiting for send window.
    @Test(arguments: [true, false])
    func gracefulEndDoesNotAbortThePartner(sameLoop: Bool) throws {
        let glued = try glue(sameLoop: sameLoop)
        // B's peer finished sending: A's output is half-closed after the drain.
        glued.b.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        run(glued)
        #expect(glued.probeA.closes == [.output])
        // Then A's peer finished too, and NIO closes A at once (no inputClosed event).
        glued.a.pipeline.fireChannelInactive()
        run(glued)
        #expect(glued.probeB.closes == [.output], "B gets the EOF after its pending writes, never a full close")
    }

    @Test(arguments: [true, false])
    func errorAbortsThePartner(sameLoop: Bool) throws {
        let glued = try glue(sameLoop: sameLoop)
        glued.b.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        run(glued)
        glued.a.pipeline.fireErrorCaught(IOError(errnoCode: ECONNRESET, reason: "read"))
        glued.a.pipeline.fireChannelInactive()
        run(glued)
        #expect(glued.probeB.closes == [.all], "a reset is passed on as an abort")
    }

    @Test(arguments: [true, false])
    func inactiveSideClosesThePartner(sameLoop: Bool) throws {
        let glued = try glue(sameLoop: sameLoop)
        glued.a.pipeline.fireChannelInactive()
        run(glued)
        #expect(glued.probeB.closes == [.all])
    }
}
