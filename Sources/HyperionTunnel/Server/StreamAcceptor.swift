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
/// starts: the client's further bytes wait in the stream's receive window.
final class StreamAcceptor: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How long a refused stream stays open for its answer to reach the client.
    static let lingerAfterRefusal = TimeAmount.seconds(5)

    private let egress: EgressPolicy
    private let dialTimeout: TimeAmount
    private let logger: Logger
    private let streamID: UInt32?
    private var port: UInt16?
    private var received: ByteBuffer?
    private var decided = false
    private var streamClosed = false

    init(egress: EgressPolicy, dialTimeout: TimeAmount, streamID: UInt32?, logger: Logger) {
        self.egress = egress
        self.dialTimeout = dialTimeout
        self.streamID = streamID
        self.logger = logger
    }

    /// The stream's log metadata, built only when a message is logged: setting it on the
    /// logger for every stream cost the server several percent of its CPU per opening.
    private var metadata: Logger.Metadata {
        var metadata: Logger.Metadata = [:]
        if let streamID { metadata["stream"] = "\(streamID)" }
        if let port { metadata["port"] = "\(port)" }
        return metadata
    }

    func handlerAdded(context: ChannelHandlerContext) {
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !decided else {
            context.fireChannelRead(data)
            return
        }
        var bytes = unwrapInboundIn(data)
        if received == nil { received = bytes } else { received!.writeBuffer(&bytes) }
        guard let request = StreamConnectRequest.read(from: &received!) else {
            context.read()
            return
        }
        decided = true
        port = request.port
        if let rest = received, rest.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(rest)) }
        received = nil
        guard egress.allows(request.port) else {
            logger.info("stream denied: port not in [egress] allow", metadata: metadata)
            refuse(context: context, with: .denied)
            return
        }
        dial(port: request.port, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        streamClosed = true
        context.fireChannelInactive()
    }

    /// An end of input before the request is complete: the client gave up. After the
    /// request it goes to the hold, for the relay.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent, !decided {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Dials by address, not by name: `connect(host:)` would resolve "127.0.0.1" through
    /// getaddrinfo on another thread, a thread hop that adds to every stream's opening.
    private func dial(port: UInt16, context: ChannelHandlerContext) {
        let target: SocketAddress
        do {
            target = try SocketAddress(ipAddress: "127.0.0.1", port: Int(port))
        } catch {
            refuse(context: context, with: .unreachable)
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
                    self.relay(stream: context, to: outbound)
                case let .failure(error):
                    // Nothing listening is the user's business (info); anything else, such
                    // as running out of descriptors, is the operator's (notice).
                    if let ioError = error as? IOError, ioError.errnoCode == ECONNREFUSED {
                        self.logger.info("stream unreachable: \(error)", metadata: self.metadata)
                    } else {
                        self.logger.notice("stream unreachable: \(error)", metadata: self.metadata)
                    }
                    self.refuse(context: context, with: .unreachable)
                }
            }
    }

    private func relay(stream context: ChannelHandlerContext, to outbound: Channel) {
        guard !streamClosed else {
            outbound.closeWithReset()
            return
        }
        var answer = context.channel.allocator.buffer(capacity: 1)
        StreamConnectResponse.connected.write(into: &answer)
        context.writeAndFlush(wrapOutboundOut(answer), promise: nil)
        logger.debug("stream connected", metadata: metadata)
        let stream = context.channel
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        // Both on this loop: the dial used it.
        Relay.start(stream, outbound)
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
