import HyperionCrypto
import HyperionWire
import Logging
import NIOCore

/// Encrypts and decrypts the transport frames of PROTOCOL.md §4.
///
/// Inbound, it cuts the ciphertext stream into frames and passes up one plaintext buffer
/// per read (not one per frame): each frame is decrypted straight from the read buffer into
/// it. Only a frame cut by the end of a read is copied, into one reused buffer of at most a
/// frame, and completed from the next read. Outbound, it gathers the plaintext written
/// between two flushes into frames of up to 16384 bytes, sealed from the written buffers
/// straight into one reused output buffer, so a burst of small yamux frames costs one
/// seal, one write and one flush on the socket.
///
/// Between Hyperion peers that both opted in, it also retires each direction's key now and
/// then (PROTOCOL.md §10.3): `RekeyNegotiation` says when markers may flow, the assembler's
/// `RekeySchedule` when to send one, and the opener replaces the receiving key at each.
///
/// It is deliberately not removable: without it, what the session writes would leave in clear.
public final class NoiseTransportHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// Plaintext pending beyond this is sealed and written without waiting for a flush. The
    /// check runs after each write, so what this handler holds is bounded by this plus one
    /// write: the multiplexer, its only writer, writes yamux frames of at most 64 KiB of
    /// data by default (`YamuxConfiguration.maximumDataFrameLength`) plus their 12-byte headers.
    static let eagerSealThreshold = 4 * TransportFrame.maximumPlaintextLength

    private var assembler: TransportFrameAssembler
    private var opener: TransportFrameOpener
    private let parser = TransportFrameParser()
    /// The start of a frame the last read cut off; empty between frames.
    private var partialFrame: ByteBuffer
    private var pendingPromise: EventLoopPromise<Void>?
    private var failed = false
    private let logger: Logger
    /// Set between `holdFlushes` and `releaseFlushes`: a flush then only sets
    /// `flushRequested`, and the plaintext waits in the assembler.
    private var flushesHeld = false
    private var flushRequested = false
    private var context: ChannelHandlerContext?
    /// Called once, when the first frame from the peer decrypts, before its plaintext goes
    /// on: the server's proof that the client holds the handshake's keys (no replay).
    var firstFrameOpened: (() -> Void)?
    /// Rekeying, once `negotiateRekeying` was called; nil: v1 only.
    private var rekeying: RekeyNegotiation?

    init(transport: NoiseTransport, logger: Logger) {
        self.assembler = TransportFrameAssembler(
            cipher: transport.sender,
            output: ByteBufferAllocator().buffer(capacity: Self.eagerSealThreshold + 8 * (2 + TransportFrame.tagLength))
        )
        self.opener = TransportFrameOpener(cipher: transport.receiver)
        self.partialFrame = ByteBuffer()
        self.logger = logger
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        partialFrame = context.channel.allocator.buffer(capacity: TransportFrame.maximumWireLength)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        // Plaintext still waiting for a flush will never be sent: its writer must hear so.
        pendingPromise?.fail(ChannelError.ioOnClosedChannel)
        pendingPromise = nil
    }

    /// Holds flushes until `releaseFlushes`. The handshake handler holds them while the
    /// session starts, so that message 2 and the session's first frames (pings, the early
    /// data announcement) leave in one transport frame and one write instead of one each.
    /// Memory stays bounded: past `eagerSealThreshold` frames are still sealed and written.
    func holdFlushes() {
        flushesHeld = true
    }

    /// Ends `holdFlushes`, and performs the flush that was asked for meanwhile, if any.
    /// Returns whether it flushed.
    @discardableResult
    func releaseFlushes() -> Bool {
        flushesHeld = false
        guard flushRequested, let context else { return false }
        flushRequested = false
        flush(context: context)
        return true
    }

    // MARK: inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var incoming = unwrapInboundIn(data)
        var plaintext = context.channel.allocator.buffer(capacity: partialFrame.readableBytes + incoming.readableBytes)
        do {
            if partialFrame.readableBytes > 0 {
                guard try completePartialFrame(from: &incoming) else { return }
                if let frame = try parser.nextFrame(from: &partialFrame) {
                    try open(frame, into: &plaintext)
                }
                partialFrame.clear()
            }
            while let frame = try parser.nextFrame(from: &incoming) {
                try open(frame, into: &plaintext)
            }
            if incoming.readableBytes > 0 {
                partialFrame.writeBuffer(&incoming)
            }
        } catch {
            failed = true
            logger.notice("closing a tunnel connection: \(error)", metadata: ["peer": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
            context.fireErrorCaught(TunnelError(.transportFailed, "the tunnel connection carried a bad frame: \(error)"))
            context.close(promise: nil)
            return
        }
        if plaintext.readableBytes > 0 {
            if let opened = firstFrameOpened {
                firstFrameOpened = nil
                opened()
                // It may have closed the connection (the server at max_connections).
                guard context.channel.isActive else { return }
            }
            context.fireChannelRead(wrapInboundOut(plaintext))
        }
    }

    private func open(_ frame: TransportFrameParser.Frame, into plaintext: inout ByteBuffer) throws {
        switch frame {
        case .data(let ciphertext):
            try opener.open(ciphertext, into: &plaintext)
        case .rekeyMarker(let marker):
            guard let step = try rekeying?.markerReceived() else { throw RekeyNegotiation.unexpectedMarker }
            try opener.openRekeyMarker(marker)
            _ = apply(step)
        }
    }

    /// Moves bytes from `incoming` into `partialFrame` until it holds a whole frame (true)
    /// or `incoming` is used up (false).
    private func completePartialFrame(from incoming: inout ByteBuffer) throws -> Bool {
        while true {
            let missing = try parser.bytesMissing(in: partialFrame)
            if missing == 0 { return true }
            guard incoming.readableBytes > 0 else { return false }
            var piece = incoming.readSlice(length: min(missing, incoming.readableBytes))!
            partialFrame.writeBuffer(&piece)
        }
    }

    // MARK: outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var plaintext = unwrapOutboundIn(data)
        if let promise {
            if let pendingPromise {
                pendingPromise.futureResult.cascade(to: promise)
            } else {
                pendingPromise = promise
            }
        }
        do {
            try assembler.append(&plaintext)
        } catch {
            fail(context: context, error: error)
            return
        }
        if assembler.bufferedByteCount >= Self.eagerSealThreshold {
            writeSealed(context: context)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        guard !flushesHeld else {
            flushRequested = true
            return
        }
        writeSealed(context: context)
        context.flush()
    }

    private func writeSealed(context: ChannelHandlerContext) {
        let promise = pendingPromise
        pendingPromise = nil
        let sealed: ByteBuffer
        do {
            // The clock is read only once this side rekeys: once per socket write, not per frame.
            sealed = try assembler.takeSealed(now: assembler.rekeySchedule == nil ? nil : context.eventLoop.now)
        } catch {
            promise?.fail(error)
            fail(context: context, error: error)
            return
        }
        // An empty write still carries its promise down, so it completes in order.
        guard sealed.readableBytes > 0 || promise != nil else { return }
        context.write(wrapOutboundOut(sealed), promise: promise)
    }

    // MARK: rekeying

    /// Takes part in rekeying in `role`, retiring this side's keys by `policy` once agreed.
    /// Called as the session starts (the server announces at the same time).
    func negotiateRekeying(role: RekeyNegotiation.Role, policy: RekeyPolicy) {
        guard rekeying == nil, let context else { return }
        rekeying = RekeyNegotiation(role: role, policy: policy, keySince: context.eventLoop.now)
    }

    /// The peer's `RekeyAnnouncement` ping arrived. Returns whether to send ours: the
    /// client's opt-in.
    func rekeyPingReceived() -> Bool {
        guard let step = rekeying?.pingReceived() else { return false }
        return apply(step)
    }

    /// Markers sent and received so far (for tests).
    var rekeyCounts: (sent: Int, received: Int) {
        (assembler.rekeySchedule?.markersSealed ?? 0, rekeying?.markersReceived ?? 0)
    }

    private func apply(_ step: RekeyNegotiation.Step) -> Bool {
        switch step {
        case .nothing:
            return false
        case .sendOptIn:
            return true
        case .startSending(let markerAtOnce):
            guard let rekeying else { return false }
            assembler.startRekeying(policy: rekeying.policy, keySince: rekeying.keySince, markerAtOnce: markerAtOnce)
            logger.debug("rekeying agreed with the peer")
            return false
        }
    }

    private func fail(context: ChannelHandlerContext, error: Error) {
        pendingPromise?.fail(error)
        pendingPromise = nil
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension NoiseTransportHandler: Sendable {}
