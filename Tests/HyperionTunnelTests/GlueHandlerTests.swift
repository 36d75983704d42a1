import NIOCore
import NIOEmbedded
import NIOPosix
import Testing
import HyperionMux
@testable import HyperionTunnel

@Suite struct GlueHandlerTests {
    /// Counts `read()` calls and resets, and records close modes instead of closing.
    final class Probe: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var reads = 0
        var resets = 0
        var closes: [CloseMode] = []
        func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
            if event is YamuxStreamReset { resets += 1 }
            promise?.succeed(())
        }
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
        try glued.a.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try glued.b.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
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
        #expect(glued.probeB.resets == 0)
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
        #expect(glued.probeB.resets == 1, "as a reset, never a clean end")
    }

    /// A side that ends without an end of input first (its connection died, its stream was
    /// reset) did not finish: the partner is reset, so its reader sees a failure rather
    /// than a short, clean end.
    @Test(arguments: [true, false])
    func inactiveSideResetsThePartner(sameLoop: Bool) throws {
        let glued = try glue(sameLoop: sameLoop)
        glued.a.pipeline.fireChannelInactive()
        run(glued)
        #expect(glued.probeB.closes == [.all])
        #expect(glued.probeB.resets == 1)
    }

    /// Regression (300 local connections against a server at its stream limit): a stream
    /// refused between its hand-over and the relay's start was closed before its glue was
    /// added, so no event ever reached the glue and the local connection hung in
    /// CLOSE-WAIT. A glue added to a closed channel resets its partner at once.
    @Test(arguments: [true, false])
    func glueAddedToAClosedChannelResetsThePartner(sameLoop: Bool) throws {
        let loopA = EmbeddedEventLoop()
        let loopB = sameLoop ? loopA : EmbeddedEventLoop()
        let a = EmbeddedChannel(loop: loopA)
        let b = EmbeddedChannel(loop: loopB)
        try a.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let probeA = Probe()
        try a.pipeline.syncOperations.addHandler(probeA)
        let (first, second) = GlueHandler.matchedPair(firstLoop: loopA, secondLoop: loopB)
        try a.pipeline.syncOperations.addHandler(first)
        try b.pipeline.syncOperations.addHandler(second)  // b never became active
        loopA.run()
        loopB.run()
        #expect(probeA.closes == [.all])
        #expect(probeA.resets == 1)
    }
}
