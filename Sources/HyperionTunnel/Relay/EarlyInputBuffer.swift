import NIOCore

/// Holds what a freshly accepted local connection delivers before its relay exists.
///
/// Local connections are accepted with autoRead off, so nothing is read while the client
/// waits for a stream. Yet when the peer's FIN is already queued, NIO drains the socket
/// up to the EOF on its own (`readEOF`), whatever autoRead says, and those bytes and the
/// `inputClosed` that follows would fall off the end of the pipeline. A small request
/// sent with an immediate shutdown (`printf ... | nc -N`) would vanish. This handler keeps
/// them and, when removed, hands them on to the handler behind it, the relay.
///
/// The amount held is bounded by the socket's receive buffer: only the EOF drain reads
/// while autoRead is off.
final class EarlyInputBuffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var held: [ByteBuffer] = []
    private var inputClosed = false

    init() {}

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        held.append(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent {
            inputClosed = true
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func removeHandler(context: ChannelHandlerContext, removalToken: ChannelHandlerContext.RemovalToken) {
        let held = self.held
        self.held = []
        for bytes in held { context.fireChannelRead(wrapInboundOut(bytes)) }
        if !held.isEmpty { context.fireChannelReadComplete() }
        if inputClosed { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
        context.leavePipeline(removalToken: removalToken)
    }
}

@available(*, unavailable)
extension EarlyInputBuffer: Sendable {}
