import HyperionWire
import Logging
import NIOCore
import NIOPosix

/// The server's side of one stream (PROTOCOL.md §6): reads the 2-byte port, applies the
/// egress policy, dials 127.0.0.1:<port>, answers 0/1/2, then steps aside and starts the
/// relay between the stream and the new connection (`Relay.start`).
///
/// What the client sent behind the request in the same delivery, and an end of input,
/// go on to the `InputHold` behind this handler. Nothing more is read until the relay
/// starts: the client's further bytes wait in the stream's receive window. The decisions
/// are `StreamAcceptMachine`'s; this handler does the I/O.
final class StreamAcceptor: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How long a refused stream stays open for its answer to reach the client.
    static let lingerAfterRefusal = TimeAmount.seconds(5)

    private var machine: StreamAcceptMachine
    private let dialTimeout: TimeAmount
    private let logger: Logger
    private let streamID: UInt32?

    init(egress: EgressPolicy, dialTimeout: TimeAmount, streamID: UInt32?, logger: Logger) {
        self.machine = StreamAcceptMachine(egress: egress)
        self.dialTimeout = dialTimeout
        self.streamID = streamID
        self.logger = logger
    }

    /// The stream's log metadata, built only when a message is logged: setting it on the
    /// logger for every stream cost the server several percent of its CPU per opening.
    private var metadata: Logger.Metadata {
        var metadata: Logger.Metadata = [:]
        if let streamID { metadata["stream"] = "\(streamID)" }
        if let port = machine.port { metadata["port"] = "\(port)" }
        return metadata
    }

    func handlerAdded(context: ChannelHandlerContext) {
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let outcome = machine.received(unwrapInboundIn(data))
        if outcome == .passOn {
            context.fireChannelRead(data)
        } else {
            perform(outcome, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        machine.streamWentAway()
        context.fireChannelInactive()
    }

    /// An end of input before the request is complete: the client gave up. After the
    /// request it goes to the hold, for the relay.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent {
            let outcome = machine.inputClosed()
            if outcome != .passOn {
                perform(outcome, context: context)
                return
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func perform(_ outcome: StreamAcceptMachine.Outcome, context: ChannelHandlerContext) {
        switch outcome {
        case .readMore:
            context.read()
        case .passOn, .ignored:
            break
        case let .dial(port, rest):
            if let rest { context.fireChannelRead(wrapInboundOut(rest)) }
            dial(port: port, context: context)
        case let .refuse(answer, rest):
            if let rest { context.fireChannelRead(wrapInboundOut(rest)) }
            if answer == .denied { logger.info("stream denied: port not in [egress] allow", metadata: metadata) }
            refuse(context: context, with: answer)
        case .close:
            context.close(promise: nil)
        case .relay, .abandonDial:
            // Carried out with the dialled channel, in `dialFinished`.
            break
        }
    }

    /// Dials by address, not by name: `connect(host:)` would resolve "127.0.0.1" through
    /// getaddrinfo on another thread, a thread hop that adds to every stream's opening.
    private func dial(port: UInt16, context: ChannelHandlerContext) {
        let target: SocketAddress
        do {
            target = try SocketAddress(ipAddress: "127.0.0.1", port: Int(port))
        } catch {
            perform(machine.dialFinished(succeeded: false), context: context)
            return
        }
        ClientBootstrap(group: context.eventLoop)
            .connectTimeout(dialTimeout)
            .channelInitializer { outbound in
                outbound.eventLoop.makeCompletedFuture {
                    try outbound.setRelayOptions()
                    try outbound.pipeline.syncOperations.addHandler(InputHold())
                }
            }
            .connect(to: target)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case let .success(outbound):
                    self.dialFinished(.success(outbound), context: context)
                case let .failure(error):
                    // Nothing listening is the user's business (info); anything else, such
                    // as running out of descriptors, is the operator's (notice).
                    if let ioError = error as? IOError, ioError.errnoCode == ECONNREFUSED {
                        self.logger.info("stream unreachable: \(error)", metadata: self.metadata)
                    } else {
                        self.logger.notice("stream unreachable: \(error)", metadata: self.metadata)
                    }
                    self.dialFinished(.failure(error), context: context)
                }
            }
    }

    private func dialFinished(_ result: Result<Channel, Error>, context: ChannelHandlerContext) {
        let outcome = machine.dialFinished(succeeded: (try? result.get()) != nil)
        switch (outcome, result) {
        case let (.relay, .success(outbound)):
            var answer = context.channel.allocator.buffer(capacity: 1)
            StreamConnectResponse.connected.write(into: &answer)
            context.writeAndFlush(wrapOutboundOut(answer), promise: nil)
            logger.debug("stream connected", metadata: metadata)
            let stream = context.channel
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            // Both on this loop: the dial used it.
            Relay.start(stream, outbound)
        case let (.abandonDial, .success(outbound)):
            outbound.closeWithReset()
        default:
            perform(outcome, context: context)
        }
    }

    private func refuse(context: ChannelHandlerContext, with answer: StreamConnectResponse) {
        var buffer = context.channel.allocator.buffer(capacity: 1)
        answer.write(into: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        context.close(mode: .output, promise: nil)
        // The client closes the stream once it has read the answer; a client that does
        // not is cut off after a while rather than holding the stream forever.
        let channel = context.channel
        context.eventLoop.scheduleTask(in: Self.lingerAfterRefusal) { channel.close(promise: nil) }
    }
}

@available(*, unavailable)
extension StreamAcceptor: Sendable {}
