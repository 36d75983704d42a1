import HyperionWire
import NIOCore

/// The client's side of a new stream (PROTOCOL.md §6): writes the port, waits for the
/// server's one-byte answer, then steps aside so the relay can start.
final class StreamOpener: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let port: UInt16
    private let timeout: TimeAmount
    private let answered: EventLoopPromise<OpenedStream>
    private var received: ByteBuffer?
    private var timer: Scheduled<Void>?
    private var done = false
    /// The end of input can arrive in the same delivery as the answer; it is kept for the
    /// relay instead of dying here.
    private var inputClosed = false
    private var answer: StreamConnectResponse?

    init(port: UInt16, timeout: TimeAmount, answered: EventLoopPromise<OpenedStream>) {
        self.port = port
        self.timeout = timeout
        self.answered = answered
    }

    func handlerAdded(context: ChannelHandlerContext) {
        var request = context.channel.allocator.buffer(capacity: StreamConnectRequest.size)
        StreamConnectRequest(port: port).write(into: &request)
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
        let port = self.port
        let limit = timeout.milliseconds
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            self?.finish(context: context, .failure(TunnelError(.streamRefused, "the server did not answer the stream to port \(port) within \(limit) ms")))
        }
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if received == nil { received = bytes } else { received!.writeBuffer(&bytes) }
        // After the answer, everything is the service's data, kept for the relay (a later
        // read of the same delivery can come before `settle`).
        guard answer == nil else { return }
        do {
            guard let answer = try StreamConnectResponse.read(from: &received!) else {
                context.read()
                return
            }
            self.answer = answer
            // Settle once this delivery is over, so an end of input that is part of it is seen.
            context.eventLoop.assumeIsolated().execute { self.settle(context: context) }
        } catch {
            finish(context: context, .failure(TunnelError(.streamRefused, "the server answered the stream with an invalid byte: \(error)")))
        }
    }

    private func settle(context: ChannelHandlerContext) {
        guard let answer, !done else { return }
        switch answer {
        case .connected:
            let leftover = received.flatMap { $0.readableBytes > 0 ? $0 : nil }
            var opened = OpenedStream(channel: context.channel, leftover: leftover)
            opened.inputClosed = inputClosed
            finish(context: context, .success(opened))
        case .denied:
            finish(context: context, .failure(TunnelError(.streamRefused, "the server denied port \(port): it is not in the server's [egress] allow list")))
        case .unreachable:
            finish(context: context, .failure(TunnelError(.streamRefused, "the server could not reach 127.0.0.1:\(port) (nothing listening, the dial timed out, or the server ran out of resources: its log says which)")))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent, !done {
            inputClosed = true
            if answer != nil { settle(context: context) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if answer != nil { settle(context: context) }
        finish(context: context, .failure(TunnelError(.streamRefused, "the stream to port \(port) closed before the server answered")))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        finish(context: context, .failure(TunnelError(.streamRefused, "the stream to port \(port) failed: \(error)")))
    }

    private func finish(context: ChannelHandlerContext, _ result: Result<OpenedStream, Error>) {
        guard !done else { return }
        done = true
        timer?.cancel()
        received = nil
        switch result {
        case .success:
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        case .failure:
            context.close(promise: nil)
        }
        answered.completeWith(result)
    }
}

@available(*, unavailable)
extension StreamOpener: Sendable {}
