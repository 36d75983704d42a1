import NIOCore

/// Relays bytes between two channels in both directions, with backpressure and half-close.
///
/// Each side reads only while its partner is writable, so a slow reader on one end stops
/// reading on the other end and nothing buffers without bound (the GlueHandler pattern of
/// swift-nio's and swift-nio-ssh's examples). An end-of-input on one side becomes a
/// half-close of the other (`close(mode: .output)`), so a client that shuts down its write
/// side still receives the rest of the reply. Any other end of one side (an error, a
/// reset, a close nobody asked for) resets the other (`closeWithReset`): a relayed
/// connection that broke must never look like one that finished.
///
/// When both channels live on one event loop the partners call each other directly. When
/// they do not, every call hops to the partner's loop and the partner's writability is
/// mirrored in a flag; the overshoot that a stale flag allows is one read per side.
final class GlueHandler {
    private var partner: PartnerLink?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    /// The partner's writability as last reported (exact when on the same loop).
    private var partnerIsWritable = false
    private var outputClosed = false
    /// The partner was told to reset because of an error on our channel.
    private var aborted = false

    private init() {}

    /// Two handlers, one for each channel. `firstLoop` and `secondLoop` are the loops of
    /// the channels the first and second handler will be added to.
    static func matchedPair(firstLoop: EventLoop, secondLoop: EventLoop) -> (GlueHandler, GlueHandler) {
        let first = GlueHandler()
        let second = GlueHandler()
        first.partner = PartnerLink(handler: second, loop: secondLoop, sameLoop: firstLoop === secondLoop)
        second.partner = PartnerLink(handler: first, loop: firstLoop, sameLoop: firstLoop === secondLoop)
        return (first, second)
    }
}

/// A reference to the partner handler that is only ever dereferenced on the partner's loop.
private struct PartnerLink: @unchecked Sendable {
    // @unchecked: `handler` is touched only inside `run`, which executes on `loop`, the
    // loop that owns the handler.
    let handler: GlueHandler
    let loop: EventLoop
    let sameLoop: Bool

    func run(_ body: @escaping @Sendable (GlueHandler) -> Void) {
        if sameLoop {
            body(handler)
        } else {
            let handler = self.handler
            let transfer = UncheckedTransfer(handler)
            loop.execute { body(transfer.value) }
        }
    }
}

/// Carries a non-Sendable value (a handler) from the loop that made it to the loop that
/// uses it; NIOLoopBound cannot, as it must be created on the loop it binds to.
struct UncheckedTransfer<Value>: @unchecked Sendable {
    // @unchecked: the value is created on one loop and used only on the receiving loop.
    let value: Value
    init(_ value: Value) { self.value = value }
}

// MARK: what the partner asks of us (always called on our own loop)

extension GlueHandler {
    fileprivate func partnerWrite(_ data: ByteBuffer) {
        context?.write(NIOAny(data), promise: nil)
    }

    fileprivate func partnerFlush() {
        context?.flush()
    }

    /// Half-closes our channel once everything written before the EOF is on its way.
    ///
    /// The output is closed only after an empty write that queues behind the data has
    /// completed: NIO turns `close(mode: .output)` into a full close when the input is
    /// already shut, and a full close fails writes still pending, which would cut the
    /// tail off a reply.
    /// Our channel could not take this handler: the partner resets.
    func abandon() {
        aborted = true
        partner?.run { $0.partnerReset() }
    }

    fileprivate func partnerWriteEOF() {
        guard !outputClosed, let context else { return }
        outputClosed = true
        let drained = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(capacity: 0)), promise: drained)
        drained.futureResult.assumeIsolated().whenComplete { _ in
            context.close(mode: .output, promise: nil)
        }
    }

    fileprivate func partnerReset() {
        context?.closeWithReset()
    }

    fileprivate func partnerWritabilityChanged(_ writable: Bool) {
        partnerIsWritable = writable
        if writable, pendingRead {
            pendingRead = false
            context?.read()
        }
    }
}

// MARK: our channel's events

extension GlueHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // A channel that closed before the relay reached it sends no more events.
        guard context.channel.isActive else {
            abandon()
            return
        }
        let writable = context.channel.isWritable
        partner?.run { $0.partnerWritabilityChanged(writable) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        partner?.run { $0.partnerWrite(bytes) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.run { $0.partnerFlush() }
    }

    /// An abort (an error, or a close nobody asked for) is passed on as a reset. An end
    /// after our own half-close is graceful: NIO closes a socket whose output is shut
    /// as soon as its input ends, without an `inputClosed` event, so the partner gets the
    /// EOF and closes itself once it has delivered what it still holds.
    func channelInactive(context: ChannelHandlerContext) {
        if aborted {
            // errorCaught already passed the abort on.
        } else if outputClosed {
            partner?.run { $0.partnerWriteEOF() }
        } else {
            partner?.run { $0.partnerReset() }
        }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            partner?.run { $0.partnerWriteEOF() }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        abandon()
        context.closeWithReset()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        partner?.run { $0.partnerWritabilityChanged(writable) }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partnerIsWritable {
            context.read()
        } else {
            pendingRead = true
        }
    }
}

@available(*, unavailable)
extension GlueHandler: Sendable {}
