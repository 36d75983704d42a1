import HyperionWire
import NIOCore

/// The client's side of a new stream (PROTOCOL.md §6): writes the port request, reads the
/// server's one-byte answer, then steps aside so the relay has the stream to itself.
///
/// - `.awaitAnswer`, for a v1 server: the stream is handed over only once the server has
///   connected it, with whatever arrived after the answer; a refusal fails the hand-over.
/// - `.relayAtOnce`, for a server that announced early data (`EarlyDataAnnouncement`): the
///   stream is handed over as soon as it is active, so the relay's first bytes travel right
///   behind the port request and the reply comes one round trip sooner. The opener stays
///   in front of the relay and reads nothing itself, so nothing reaches the end of the
///   pipeline before the relay is there: the relay's reads bring the answer, the opener
///   takes that byte off and steps aside. A refusal closes the stream and fails
///   `OpenedStream.answer`.
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
    private var answerPromise: EventLoopPromise<Void>?
    private var received: ByteBuffer?
    private var timer: Scheduled<Void>?
    /// The stream was handed to the caller (early in `.relayAtOnce`).
    private var handedOver = false
    private var done = false
    /// `.awaitAnswer`: the end of input can arrive in the same delivery as the answer; it is
    /// kept for the relay instead of dying here.
    private var inputClosed = false
    private var answer: StreamConnectResponse?

    init(port: UInt16, timeout: TimeAmount, mode: Mode, opened: EventLoopPromise<OpenedStream>) {
        self.port = port
        self.timeout = timeout
        self.mode = mode
        self.opened = opened
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
        if mode == .awaitAnswer { context.read() }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        guard mode == .relayAtOnce, !done, let answerPromise else { return }
        handedOver = true
        opened.succeed(OpenedStream(channel: context.channel, leftover: nil, answer: answerPromise.futureResult))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if received == nil { received = bytes } else { received!.writeBuffer(&bytes) }
        // After the answer, everything is the service's data, kept for the relay (a later
        // read of the same delivery can come before `settle`).
        guard answer == nil else { return }
        do {
            guard let answer = try StreamConnectResponse.read(from: &received!) else {
                if mode == .awaitAnswer { context.read() }
                return
            }
            self.answer = answer
            switch mode {
            case .awaitAnswer:
                // Settle once this delivery is over, so an end of input that is part of it is seen.
                context.eventLoop.assumeIsolated().execute { self.settle(context: context) }
            case .relayAtOnce:
                // The relay is behind us: what follows the answer goes straight on, and so
                // does an end of input, once we are out of the way.
                settle(context: context)
            }
        } catch {
            finish(context: context, .failure(TunnelError(.streamRefused, "the server answered the stream with an invalid byte: \(error)")))
        }
    }

    private func settle(context: ChannelHandlerContext) {
        guard let answer, !done else { return }
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
            if mode == .awaitAnswer {
                inputClosed = true
                if answer != nil { settle(context: context) }
            } else {
                finish(context: context, .failure(TunnelError(.streamRefused, "the server ended the stream to port \(port) without answering")))
            }
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

    /// A stream torn down before it was ever active sends no other event; its promises must
    /// still be completed.
    func handlerRemoved(context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        timer?.cancel()
        let error = TunnelError(.streamRefused, "the stream to port \(port) closed before the server answered")
        answerPromise?.fail(error)
        if !handedOver { opened.fail(error) }
    }

    private func finish(context: ChannelHandlerContext, _ result: Result<Void, Error>) {
        guard !done, let answerPromise else { return }
        done = true
        timer?.cancel()
        let rest = received.flatMap { $0.readableBytes > 0 ? $0 : nil }
        received = nil
        switch result {
        case .success:
            answerPromise.succeed(())
            if handedOver {
                if let rest { context.fireChannelRead(wrapInboundOut(rest)) }
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            } else {
                var stream = OpenedStream(channel: context.channel, leftover: rest, answer: answerPromise.futureResult)
                stream.inputClosed = inputClosed
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                handedOver = true
                opened.succeed(stream)
            }
        case let .failure(error):
            // The reason is known before the stream closes, so whoever watches the answer
            // can still tell a refusal from the user going away.
            answerPromise.fail(error)
            if !handedOver { opened.fail(error) }
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension StreamOpener: Sendable {}
