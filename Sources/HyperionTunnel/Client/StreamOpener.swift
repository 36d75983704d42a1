import HyperionWire
import NIOCore

/// The client's side of a new stream (PROTOCOL.md §6): writes the port request, reads the
/// server's one-byte answer, then steps aside. What follows the answer goes on to the
/// `InputHold` behind it, and from there to the relay. The decisions are
/// `StreamOpenMachine`'s; this handler does the I/O.
///
/// - `.awaitAnswer`, for a v1 server and a quiet connection: the stream is handed over only
///   once the server has connected it; a refusal fails the hand-over.
/// - `.relayAtOnce`, for a server that announced early data, on a connection heard from a
///   moment ago: the stream is handed over as soon as it is active, so the relay's first
///   bytes travel right behind the port request and the reply comes one round trip sooner.
///   A refusal then fails `OpenedStream.answer` and reaches the relay as an error, which
///   resets the local connection.
final class StreamOpener: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer
    typealias Mode = StreamOpenMachine.Mode

    private let port: UInt16
    private let timeout: TimeAmount
    private let mode: Mode
    private let opened: EventLoopPromise<OpenedStream>
    /// Told once, when the stream no longer waits for its answer (the watchdog's count).
    private let onSettled: () -> Void
    private var machine: StreamOpenMachine?
    private var answerPromise: EventLoopPromise<Void>?
    private var timer: Scheduled<Void>?

    init(port: UInt16, timeout: TimeAmount, mode: Mode, opened: EventLoopPromise<OpenedStream>, onSettled: @escaping () -> Void = {}) {
        self.port = port
        self.timeout = timeout
        self.mode = mode
        self.opened = opened
        self.onSettled = onSettled
    }

    func handlerAdded(context: ChannelHandlerContext) {
        answerPromise = context.eventLoop.makePromise(of: Void.self)
        machine = StreamOpenMachine(port: port, mode: mode, now: context.eventLoop.now, timeout: timeout)
        var request = context.channel.allocator.buffer(capacity: StreamConnectRequest.size)
        StreamConnectRequest(port: port).write(into: &request)
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: machine!.deadline) { [weak self] in
            guard let self, var machine = self.machine else { return }
            let outcome = machine.timeElapsed(now: context.eventLoop.now)
            self.machine = machine
            self.perform(outcome, context: context)
        }
        // The hold behind us keeps whatever follows the answer in the same delivery.
        context.read()
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        step(context) { $0.activated() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        step(context) { $0.received(bytes) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent, machine?.settled == false {
            step(context) { $0.inputClosed() }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        step(context) { $0.closed() }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        step(context) { $0.errorCaught(error) }
    }

    /// A stream torn down before it was ever active sends no other event; its promises must
    /// still be completed.
    func handlerRemoved(context: ChannelHandlerContext) {
        guard var machine, !machine.settled else { return }
        if case let .failed(error, relayKnows) = machine.closed() {
            self.machine = machine
            settle()
            answerPromise?.fail(error)
            if !relayKnows { opened.fail(error) }
        }
    }

    private func step(_ context: ChannelHandlerContext, _ event: (inout StreamOpenMachine) -> StreamOpenMachine.Outcome) {
        guard var machine else { return }
        let outcome = event(&machine)
        self.machine = machine
        perform(outcome, context: context)
    }

    private func perform(_ outcome: StreamOpenMachine.Outcome, context: ChannelHandlerContext) {
        guard let answerPromise else { return }
        switch outcome {
        case .ignored:
            return
        case .readMore:
            context.read()
        case .handOver:
            opened.succeed(OpenedStream(channel: context.channel, answer: answerPromise.futureResult))
        case let .connected(rest, handOver):
            settle()
            if let rest { context.fireChannelRead(wrapInboundOut(rest)) }
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            answerPromise.succeed(())
            if handOver { opened.succeed(OpenedStream(channel: context.channel, answer: answerPromise.futureResult)) }
        case let .failed(error, relayKnows):
            settle()
            // The reason is known before the stream closes, so whoever watches the answer
            // can still tell a refusal from the user going away.
            answerPromise.fail(error)
            if relayKnows {
                // The relay behind us resets the local connection on an error; a close
                // alone could look like the end of a stream it had half-closed.
                context.fireErrorCaught(error)
            } else {
                opened.fail(error)
            }
            context.close(promise: nil)
        }
    }

    private func settle() {
        timer?.cancel()
        onSettled()
    }
}

@available(*, unavailable)
extension StreamOpener: Sendable {}
