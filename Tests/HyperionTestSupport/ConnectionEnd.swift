import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// How a TCP connection ended, as its application saw it: the distinction a relay must
/// keep. A clean end after a short transfer is indistinguishable from a complete one; only
/// a reset tells the reader that data is missing.
enum ConnectionEnd: Sendable, Equatable, CustomStringConvertible {
    /// Still open.
    case open
    /// The peer's FIN (EOF), with no error.
    case clean
    /// An error: ECONNRESET, EPIPE or the like.
    case reset(String)

    var isReset: Bool { if case .reset = self { return true } else { return false } }

    var description: String {
        switch self {
        case .open: return "still open"
        case .clean: return "a clean EOF"
        case let .reset(error): return "a reset (\(error))"
        }
    }
}

/// One end of a bulk transfer, on either side of the tunnel: the local application or the
/// service behind the server. It sends up to `sendLimit` bytes as fast as the peer takes
/// them (a download's source, an upload's writer), counts what it receives, and records
/// how the connection ended.
final class TransferEnd: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: the handler runs on its channel's loop; the observable state is locked.
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct State {
        var received = 0
        var sent = 0
        var end = ConnectionEnd.open
    }

    private let state = NIOLockedValueBox(State())
    private let sendLimit: Int
    private let chunk: ByteBuffer
    private let ended: EventLoopPromise<ConnectionEnd>

    init(sendLimit: Int, loop: EventLoop) {
        self.sendLimit = sendLimit
        self.chunk = ByteBuffer(repeating: 0x5A, count: 64 * 1024)
        self.ended = loop.makePromise()
    }

    var received: Int { state.withLockedValue { $0.received } }
    var sent: Int { state.withLockedValue { $0.sent } }
    var end: ConnectionEnd { state.withLockedValue { $0.end } }
    var endFuture: EventLoopFuture<ConnectionEnd> { ended.futureResult }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        pump(context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        pump(context)
        context.fireChannelWritabilityChanged()
    }

    /// Writes while the socket takes more, so the sender runs at the receiver's pace.
    private func pump(_ context: ChannelHandlerContext) {
        while context.channel.isActive, context.channel.isWritable {
            let sent = state.withLockedValue { $0.sent }
            guard sent < sendLimit else { return }
            let length = min(chunk.readableBytes, sendLimit - sent)
            state.withLockedValue { $0.sent += length }
            context.writeAndFlush(wrapOutboundOut(chunk.getSlice(at: 0, length: length)!)).assumeIsolated().whenFailure { error in
                self.finish(.reset("write: \(error)"), context)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let count = unwrapInboundIn(data).readableBytes
        state.withLockedValue { $0.received += count }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent {
            finish(.clean, context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        finish(.reset("\(error)"), context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Closed under us without an error or EOF first: our own close after a failed write.
        finish(.reset("closed"), context)
        context.fireChannelInactive()
    }

    private func finish(_ end: ConnectionEnd, _ context: ChannelHandlerContext) {
        let first = state.withLockedValue { state -> Bool in
            guard state.end == .open else { return false }
            state.end = end
            return true
        }
        guard first else { return }
        ended.succeed(end)
        context.close(promise: nil)
    }
}

/// A TCP service on 127.0.0.1 whose every connection is a `TransferEnd`.
final class TransferService: Sendable {
    let channel: Channel
    private let ends = NIOLockedValueBox<[TransferEnd]>([])

    var port: Int { channel.localAddress!.port! }
    var connections: [TransferEnd] { ends.withLockedValue { $0 } }

    private init(channel: Channel) { self.channel = channel }

    static func start(sendLimit: Int, group: EventLoopGroup) async throws -> TransferService {
        let box = NIOLockedValueBox<TransferService?>(nil)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let end = TransferEnd(sendLimit: sendLimit, loop: channel.eventLoop)
                    box.withLockedValue { $0 }?.ends.withLockedValue { $0.append(end) }
                    try channel.pipeline.syncOperations.addHandler(end)
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let service = TransferService(channel: channel)
        box.withLockedValue { $0 = service }
        return service
    }

    /// A local application's end: connects to `port` and runs a `TransferEnd`.
    static func connect(port: Int, sendLimit: Int, group: EventLoopGroup) async throws -> (Channel, TransferEnd) {
        let loop = group.next()
        let end = TransferEnd(sendLimit: sendLimit, loop: loop)
        let channel = try await ClientBootstrap(group: loop)
            .connectTimeout(.seconds(5))
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { $0.pipeline.addHandler(end) }
            .connect(host: "127.0.0.1", port: port)
            .get()
        return (channel, end)
    }
}
