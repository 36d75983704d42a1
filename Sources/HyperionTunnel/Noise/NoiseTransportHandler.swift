import HyperionCrypto
import HyperionWire
import Logging
import NIOCore

/// Encrypts and decrypts the transport frames of PROTOCOL.md §4.
///
/// Inbound, it cuts the ciphertext stream into frames and passes up one plaintext buffer
/// per read burst (not one per frame). Outbound, it gathers the plaintext written between
/// two flushes and seals it in frames of up to 16384 bytes into one reused output buffer,
/// so a burst of small yamux frames costs one write and one flush on the socket.
public final class NoiseTransportHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// Plaintext pending beyond this is sealed and written without waiting for a flush,
    /// which bounds this handler's memory whatever the writer does.
    static let eagerSealThreshold = 4 * TransportFrame.maximumPlaintextLength

    private var sealer: TransportFrameSealer
    private var opener: TransportFrameOpener
    private let parser = TransportFrameParser()
    private var cumulation: ByteBuffer?
    private var pendingPlaintext: ByteBuffer
    private var pendingPromise: EventLoopPromise<Void>?
    private var sealed: ByteBuffer
    private var failed = false
    private let logger: Logger

    init(transport: NoiseTransport, logger: Logger) {
        self.sealer = TransportFrameSealer(cipher: transport.sender)
        self.opener = TransportFrameOpener(cipher: transport.receiver)
        self.pendingPlaintext = ByteBuffer()
        self.sealed = ByteBuffer()
        self.logger = logger
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        pendingPlaintext = context.channel.allocator.buffer(capacity: Self.eagerSealThreshold)
        sealed = context.channel.allocator.buffer(capacity: Self.eagerSealThreshold + 4 * 18)
    }

    // MARK: inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var incoming = unwrapInboundIn(data)
        do {
            if var pending = cumulation {
                cumulation = nil
                pending.writeBuffer(&incoming)
                try openFrames(from: &pending, context: context)
                if pending.readableBytes > 0 { cumulation = pending }
            } else {
                try openFrames(from: &incoming, context: context)
                if incoming.readableBytes > 0 { cumulation = incoming }
            }
        } catch {
            failed = true
            logger.notice("closing a tunnel connection: \(error)", metadata: ["peer": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
            context.fireErrorCaught(TunnelError(.transportFailed, "the tunnel connection carried a bad frame: \(error)"))
            context.close(promise: nil)
        }
    }

    private func openFrames(from buffer: inout ByteBuffer, context: ChannelHandlerContext) throws {
        guard var first = try parser.nextCiphertext(from: &buffer) else { return }
        var plaintext = context.channel.allocator.buffer(capacity: first.readableBytes + buffer.readableBytes)
        try opener.open(first, into: &plaintext)
        while let next = try parser.nextCiphertext(from: &buffer) {
            first = next
            try opener.open(first, into: &plaintext)
        }
        if plaintext.readableBytes > 0 {
            context.fireChannelRead(wrapInboundOut(plaintext))
        }
    }

    // MARK: outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var plaintext = unwrapOutboundIn(data)
        pendingPlaintext.writeBuffer(&plaintext)
        if let promise {
            if let pendingPromise {
                pendingPromise.futureResult.cascade(to: promise)
            } else {
                pendingPromise = promise
            }
        }
        if pendingPlaintext.readableBytes >= Self.eagerSealThreshold {
            sealPending(context: context)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        sealPending(context: context)
        context.flush()
    }

    private func sealPending(context: ChannelHandlerContext) {
        guard pendingPlaintext.readableBytes > 0 else { return }
        let promise = pendingPromise
        pendingPromise = nil
        // `clear` reuses the storage when the last write released it, and only allocates
        // when the socket still holds the previous buffer.
        sealed.clear()
        do {
            try sealer.seal(&pendingPlaintext, into: &sealed)
        } catch {
            pendingPlaintext.clear()
            promise?.fail(error)
            context.fireErrorCaught(error)
            context.close(promise: nil)
            return
        }
        pendingPlaintext.clear()
        context.write(wrapOutboundOut(sealed), promise: promise)
    }
}

@available(*, unavailable)
extension NoiseTransportHandler: Sendable {}
