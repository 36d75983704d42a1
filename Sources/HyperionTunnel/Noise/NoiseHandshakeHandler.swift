import HyperionCrypto
import Logging
import NIOCore

/// What a finished handshake reports to whoever set up the connection.
public struct HandshakeOutcome: Sendable {
    /// The peer's static key: the server's (client side) or the admin's (server side).
    public let peer: X25519PublicKey
    /// From the handler's start to the handshake's completion.
    public let duration: TimeAmount
}

/// Runs the tunnel handshake on a fresh TCP connection, then puts the transport in its
/// place: a `NoiseTransportHandler`, followed by whatever `installSession` adds (the yamux
/// multiplexer). Bytes that arrived after the handshake are handed to the transport.
///
/// A handshake that has not finished within `timeout` of the connection coming up closes
/// the connection (PROTOCOL.md §3), so a silent peer cannot hold a connection slot. The
/// server passes no timeout: its own deadline runs on until the client's first transport
/// frame, which is what makes it an admin (`TunnelServer`).
final class NoiseHandshakeHandler<Driver: HandshakeDriver>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    typealias SessionInstaller = (ChannelPipeline.SynchronousOperations, NoiseTransportHandler, X25519PublicKey) throws -> Void

    private var driver: Driver
    private var received: ByteBuffer?
    private let timeout: TimeAmount?
    private var timeoutTask: Scheduled<Void>?
    private var startedAt = NIODeadline.now()
    private var started = false
    private var finished = false
    private let completion: EventLoopPromise<HandshakeOutcome>
    private let installSession: SessionInstaller
    private let logger: Logger
    /// Told why the driver refused, for the server's refusal summary.
    private let refused: ((ConnectionRefusal) -> Void)?

    init(
        driver: Driver, timeout: TimeAmount?, completion: EventLoopPromise<HandshakeOutcome>, logger: Logger,
        refused: ((ConnectionRefusal) -> Void)? = nil, installSession: @escaping SessionInstaller
    ) {
        self.driver = driver
        self.timeout = timeout
        self.completion = completion
        self.logger = logger
        self.refused = refused
        self.installSession = installSession
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { begin(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeoutTask?.cancel()
        if !finished {
            finished = true
            completion.fail(TunnelError(.handshakeRefused, "the handshake was abandoned"))
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        begin(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        var bytes = unwrapInboundIn(data)
        if received == nil {
            received = bytes
        } else {
            received!.writeBuffer(&bytes)
        }
        do {
            switch try driver.receive(&received!) {
            case .waiting:
                return
            case let .refuse(kind, reason):
                // Debug only: anyone can send junk, and the server logs a summary instead.
                logger.debug("refused a tunnel handshake", metadata: ["reason": "\(reason)"])
                refused?(kind)
                fail(context: context, TunnelError(.handshakeRefused, reason))
            case let .complete(reply, transport, peer):
                complete(context: context, reply: reply, transport: transport, peer: peer)
            }
        } catch {
            logger.debug("refused a tunnel handshake", metadata: ["reason": "\(error)"])
            refused?(.handshakeFailed)
            fail(context: context, error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(context: context, TunnelError(
            .handshakeRefused,
            "the server closed the connection without answering the handshake (our admin key is not in its allowlist, server_pubkey is wrong, or the server refused the connection at one of its limits)"
        ))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(context: context, error)
    }

    /// The handshake, and its timer, start once the TCP connection is up: the client's
    /// handler is added before the connect completes, and a timer started then would cut
    /// the connect timeout short.
    private func begin(context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        startedAt = .now()
        if let timeout {
            let limit = timeout.milliseconds
            timeoutTask = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
                self?.fail(context: context, TunnelError(.handshakeTimedOut, "the handshake did not finish within \(limit) ms"))
            }
        }
        do {
            if let first = try driver.start() {
                context.writeAndFlush(wrapOutboundOut(first), promise: nil)
            }
        } catch {
            fail(context: context, error)
        }
    }

    private func complete(context: ChannelHandlerContext, reply: ByteBuffer?, transport: NoiseTransport, peer: X25519PublicKey) {
        // Finished from here on: whatever the session's start does (a write that fails, a
        // close) must not fail this handshake a second time.
        finished = true
        timeoutTask?.cancel()
        // The reply travels in clear, so it is written from here, before the transport
        // handler (which sits after this one) can emit anything. It is flushed together
        // with what the session sends as it starts: one write, and one transport frame.
        if let reply { context.write(wrapOutboundOut(reply), promise: nil) }
        let transportHandler = NoiseTransportHandler(transport: transport, logger: logger)
        let pipeline = context.pipeline.syncOperations
        do {
            try pipeline.addHandler(transportHandler, position: .after(self))
            transportHandler.holdFlushes()
            try installSession(pipeline, transportHandler, peer)
        } catch {
            // No session, so no connection: nothing held back is sent.
            logger.notice("closing a tunnel connection: its session could not start: \(error)")
            received = nil
            completion.fail(error)
            context.close(promise: nil)
            return
        }
        // The session's flush carried the reply along; otherwise it still has to go.
        if !transportHandler.releaseFlushes(), reply != nil { context.flush() }
        if let leftover = received, leftover.readableBytes > 0 {
            context.fireChannelRead(wrapInboundOut(leftover))
        }
        received = nil
        pipeline.removeHandler(context: context, promise: nil)
        completion.succeed(HandshakeOutcome(peer: peer, duration: NIODeadline.now() - startedAt))
    }

    private func fail(context: ChannelHandlerContext, _ error: Error) {
        guard !finished else { return }
        finished = true
        timeoutTask?.cancel()
        received = nil
        completion.fail(error)
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension NoiseHandshakeHandler: Sendable {}

extension TimeAmount {
    var milliseconds: Int64 { nanoseconds / 1_000_000 }
}
