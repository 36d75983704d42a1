import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A daemon's control socket: a Unix socket, mode 0600 in a 0700 runtime directory, that
/// answers one `ControlRequest` per connection from the daemon's own user or root (checked
/// with SO_PEERCRED, so a socket that was somehow opened up still serves nobody else).
public final class ControlServer: Sendable {
    /// Answers a request with the reply line to send.
    public typealias Handler = @Sendable (ControlCommand) -> EventLoopFuture<[UInt8]>

    private let channel: Channel
    public let path: String

    private init(channel: Channel, path: String) {
        self.channel = channel
        self.path = path
    }

    /// How long a client may take to send its request.
    static let requestTimeout = TimeAmount.seconds(5)

    /// Binds `path` (an old socket file there is removed first: the caller has made sure
    /// no daemon answers on it) and serves until `close`.
    public static func start(path: String, group: EventLoopGroup, logger: Logger, handler: @escaping Handler) -> EventLoopFuture<ControlServer> {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 16)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(
                        ControlConnectionHandler(handler: handler, timeout: requestTimeout, logger: logger)
                    )
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
            .flatMapThrowing { channel in
                guard chmod(path, 0o600) == 0 else {
                    let code = errno
                    channel.close(promise: nil)
                    throw IOError(errnoCode: code, reason: "chmod 0600 \(path)")
                }
                return ControlServer(channel: channel, path: path)
            }
    }

    /// Stops listening and removes the socket file.
    public func close() -> EventLoopFuture<Void> {
        let path = self.path
        return channel.close().always { _ in _ = unlink(path) }
    }
}

/// One control connection: checks the peer, reads the request line, answers, closes.
final class ControlConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let handler: ControlServer.Handler
    private let timeout: TimeAmount
    private let logger: Logger
    private var reader = ControlLineReader(limit: ControlLimits.maximumRequestBytes)
    private var answered = false
    private var deadline: Scheduled<Void>?
    /// Set once SO_PEERCRED says the peer may talk to us; nothing is answered before.
    private var peerAllowed = false
    private var pendingLine: [UInt8]?

    init(handler: @escaping ControlServer.Handler, timeout: TimeAmount, logger: Logger) {
        self.handler = handler
        self.timeout = timeout
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        guard let socket = channel as? SocketOptionProvider else {
            channel.close(promise: nil)
            return
        }
        let peer: EventLoopFuture<PeerCredentials> = socket.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        let logger = self.logger
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let context = NIOLoopBound(context, eventLoop: context.eventLoop)
        peer.hop(to: channel.eventLoop).whenComplete { result in
            switch result {
            case .success(let credentials) where PeerCheck.allows(peerUID: credentials.uid, ownUID: geteuid()):
                handler.value.peerAllowed = true
                if let line = handler.value.pendingLine { handler.value.answer(line, context: context.value) }
            case .success(let credentials):
                logger.warning("control socket: refusing a connection from uid \(credentials.uid) (only uid \(geteuid()) and root may use it)")
                channel.close(promise: nil)
            case .failure(let error):
                logger.warning("control socket: cannot read the peer's credentials (\(error)); closing")
                channel.close(promise: nil)
            }
        }
        context.value.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        let buffer = unwrapInboundIn(data)
        do {
            guard let line = try reader.feed(buffer.readableBytesView) else { return }
            if peerAllowed { answer(line, context: context) } else { pendingLine = line }
        } catch {
            answered = true
            let channel = context.channel
            channel.writeAndFlush(ByteBuffer(bytes: Self.errorLine("\(error)"))).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func answer(_ line: [UInt8], context: ChannelHandlerContext) {
        guard !answered else { return }
        answered = true
        let channel = context.channel
        do {
            let request = try ControlCoding.decode(ControlRequest.self, from: line)
            handler(request.command).hop(to: context.eventLoop).whenComplete { result in
                let reply: [UInt8]
                switch result {
                case .success(let bytes): reply = bytes
                case .failure(let error): reply = Self.errorLine("\(error)")
                }
                channel.writeAndFlush(ByteBuffer(bytes: reply)).whenComplete { _ in channel.close(promise: nil) }
            }
        } catch {
            channel.writeAndFlush(ByteBuffer(bytes: Self.errorLine("\(error)"))).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    static func errorLine(_ message: String) -> [UInt8] {
        (try? ControlCoding.line(ControlReply<NoStatus>(ok: false, error: message))) ?? Array("{\"ok\":false}\n".utf8)
    }
}

@available(*, unavailable)
extension ControlConnectionHandler: Sendable {}

/// Linux's `struct ucred` (pid, uid, gid: three 32-bit fields), which SO_PEERCRED fills;
/// Glibc's module hides the C type behind _GNU_SOURCE.
struct PeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// Who may use a control socket: its own user, and root.
public enum PeerCheck {
    public static func allows(peerUID: uid_t, ownUID: uid_t) -> Bool {
        peerUID == ownUID || peerUID == 0
    }
}
