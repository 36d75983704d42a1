import NIOCore

/// Holds what a channel delivers before its relay exists, and hands it to the relay when
/// it leaves the pipeline. The one place where a connection's or a stream's first bytes and
/// an early end of input wait, on both sides of the tunnel:
///
/// - a local connection (client): accepted with autoRead off, yet when the peer's FIN is
///   already queued NIO drains the socket up to the EOF on its own (`readEOF`), whatever
///   autoRead says; a request sent with an immediate shutdown (`printf … | nc -N`) would
///   otherwise fall off the end of the pipeline;
/// - a stream we opened (client): what follows the server's answer in the same delivery;
/// - a stream the peer opened (server): what follows the port request in the same
///   delivery, while the service is dialled;
/// - the service connection (server), for symmetry: nothing reads it before the relay.
///
/// The amount held is bounded by one delivery: the hold never asks for a read, and the
/// handler in front of it stops reading once it has what it needs (the socket's receive
/// buffer, the stream's receive window).
///
/// `Relay.start` adds the relay behind it, then removes it.
final class InputHold: ChannelInboundHandler, RemovableChannelHandler {
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
extension InputHold: Sendable {}
