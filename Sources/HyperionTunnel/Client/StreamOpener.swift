import HyperionMux
import HyperionWire
import NIOCore

/// The client's side of a new stream (PROTOCOL.md §6): writes the port request, reads the
/// server's one-byte answer, then steps aside. What follows the answer goes on to the
/// `InputHold` behind it, and from there to the relay.
///
/// - `.awaitAnswer`, for a v1 server: the stream is handed over only once the server has
///   connected it; a refusal fails the hand-over.
/// - `.relayAtOnce`, for a server that announced early data (`EarlyDataAnnouncement`): the
///   stream is handed over as soon as it is active, so the relay's first bytes travel right
///   behind the port request and the reply comes one round trip sooner. A refusal then
///   fails `OpenedStream.answer` and closes the stream, which the relay passes on to the
///   local connection as a reset.
final class StreamOpener: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Mode {
        case awaitAnswer
        case relayAtOnce
    }

    private let port: UInt16
    private let timeout: TimeAmount
    private let mode: Mode
    private let opened: EventLoopPromise<OpenedStream>
    /// Told once, when the stream no longer waits for its answer (the watchdog's count).
    private let onSettled: () -> Void
    private var answerPromise: EventLoopPromise<Void>?
    private var received: ByteBuffer?
    private var timer: Scheduled<Void>?
    /// The stream was handed to the caller (early in `.relayAtOnce`).
    private var handedOver = false
    private var done = false

    init(port: UInt16, timeout: TimeAmount, mode: Mode, opened: EventLoopPromise<OpenedStream>, onSettled: @escaping () -> Void = {}) {
        self.port = port
        self.timeout = timeout
        self.mode = mode
        self.opened = opened
        self.onSettled = onSettled
    }

    func handlerAdded(context: ChannelHandlerContext) {
        answerPromise = context.eventLoop.makePromise(of: Void.self)
        var request = context.channel.allocator.buffer(capacity: StreamConnectRequest.size)
        StreamConnectRequest(port: port).write(into: &request)
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
        let port = self.port
        let limit = timeout.milliseconds
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            self?.finish(context: context, .failure(TunnelError(.streamRefused, "the server did not answer the stream to port \(port) within \(limit) ms")))
        }
        // The hold behind us keeps whatever follows the answer in the same delivery.
        context.read()
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        guard mode == .relayAtOnce, !done, let answerPromise else { return }
        handedOver = true
        opened.succeed(OpenedStream(channel: context.channel, answer: answerPromise.futureResult))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        var bytes = unwrapInboundIn(data)
        if received == nil { received = bytes } else { received!.writeBuffer(&bytes) }
        let answer: StreamConnectResponse
        do {
            guard let read = try StreamConnectResponse.read(from: &received!) else {
                context.read()
                return
            }
            answer = read
        } catch {
            finish(context: context, .failure(TunnelError(.streamRefused, "the server answered the stream with an invalid byte: \(error)")))
            return
        }
        switch answer {
        case .connected:
            finish(context: context, .success(()))
        case .denied:
            finish(context: context, .failure(TunnelError(.streamRefused, "the server denied port \(port): it is not in the server's [egress] allow list")))
        case .unreachable:
            finish(context: context, .failure(TunnelError(.streamRefused, "the server could not reach 127.0.0.1:\(port) (nothing listening, the dial timed out, or the server ran out of resources: its log says which)")))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent, !done {
            finish(context: context, .failure(TunnelError(.streamRefused, "the server ended the stream to port \(port) without answering")))
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(context: context, .failure(TunnelError(.streamRefused, "the stream to port \(port) closed before the server answered")))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let error = error as? YamuxError, error.kind == .connectionClosed, !handedOver {
            // Nothing of the application's can have left: the stream was never handed over.
            finish(context: context, .failure(TunnelError(.streamLostUnanswered, "the tunnel connection ended before the server answered the stream to port \(port)")))
        } else if let error = error as? YamuxError, error.kind == .streamRefused {
            finish(context: context, .failure(TunnelError(.streamRefused, "the server refused the stream to port \(port): it is at its limit of streams per connection ([limits] max_streams_per_connection) or shutting down")))
        } else {
            finish(context: context, .failure(TunnelError(.streamRefused, "the stream to port \(port) failed before the server answered: \(error)")))
        }
    }

    /// A stream torn down before it was ever active sends no other event; its promises must
    /// still be completed.
    func handlerRemoved(context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        timer?.cancel()
        onSettled()
        let error = TunnelError(.streamRefused, "the stream to port \(port) closed before the server answered")
        answerPromise?.fail(error)
        if !handedOver { opened.fail(error) }
    }

    private func finish(context: ChannelHandlerContext, _ result: Result<Void, Error>) {
        guard !done, let answerPromise else { return }
        done = true
        timer?.cancel()
        onSettled()
        let rest = received.flatMap { $0.readableBytes > 0 ? $0 : nil }
        received = nil
        switch result {
        case .success:
            if let rest { context.fireChannelRead(wrapInboundOut(rest)) }
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            answerPromise.succeed(())
            if !handedOver {
                handedOver = true
                opened.succeed(OpenedStream(channel: context.channel, answer: answerPromise.futureResult))
            }
        case let .failure(error):
            // The reason is known before the stream closes, so whoever watches the answer
            // can still tell a refusal from the user going away.
            answerPromise.fail(error)
            if handedOver {
                // The relay behind us resets the local connection on an error; a close
                // alone could look like the end of a stream it had half-closed.
                context.fireErrorCaught(error)
            } else {
                opened.fail(error)
            }
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension StreamOpener: Sendable {}
