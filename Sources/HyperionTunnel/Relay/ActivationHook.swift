import NIOCore

/// Runs `start` once, when its channel becomes active, then leaves the pipeline.
///
/// A ServerBootstrap runs the child initializer before the accepted channel is registered
/// and active: registration is a task queued on the loop, and under load the loop handles
/// I/O before its queued tasks. Work started from the initializer can therefore complete
/// while the channel still looks closed. Starting from `channelActive` cannot.
final class ActivationHook: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private var start: ((Channel) -> Void)?

    init(start: @escaping (Channel) -> Void) {
        self.start = start
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        guard let start else { return }
        self.start = nil
        let channel = context.channel
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        start(channel)
    }
}

@available(*, unavailable)
extension ActivationHook: Sendable {}
