import HyperionConfig
import Logging
import NIOCore

/// Where a SOCKS5 destination goes: a server's pool, or the reply that says why not.
public enum Socks5Destination: Sendable {
    case server(ServerPool)
    case refused(reason: String)
}

/// What `run -D` / `[socks] listen` asks for: where to listen, and the servers a
/// destination may name.
public struct Socks5Listening: Sendable {
    public var address: HyperionConfig.SocketAddress
    public var servers: [ClientConfig.Server]

    public init(address: HyperionConfig.SocketAddress, servers: [ClientConfig.Server]) {
        self.address = address
        self.servers = servers
    }

    /// A destination host to its server's pool: by name, NAME.hyperion, address or fake
    /// address (`ServerLookup`).
    func destination(_ pools: ServerPools) -> @Sendable (String) -> Socks5Destination {
        let servers = self.servers
        return { host in
            switch ServerLookup.find(host, in: servers) {
            case let .found(server):
                guard let pool = pools.pool(named: server.name) else { return .refused(reason: "no pool for \(server.name)") }
                return .server(pool)
            case .unknown:
                return .refused(reason: "\(host) is not a configured server (known: \(servers.map(\.name).joined(separator: ", ")))")
            case let .ambiguous(names):
                return .refused(reason: "\(host) is the address of several servers (\(names.joined(separator: ", "))); use a name")
            }
        }
    }
}

/// Serves one SOCKS5 client on an accepted local connection (`run -D`): the handshake
/// (`Socks5Negotiation`), then the stream opened with its answer first, so that the reply
/// carries the server's verdict, then the same relay as a `-L` forward.
enum Socks5Connection {
    /// How long a client may take to send its greeting and request.
    static let handshakeTimeout = TimeAmount.seconds(10)

    static func serve(_ local: Channel, wait: TimeAmount, logger: Logger, destination: @escaping @Sendable (String) -> Socks5Destination) {
        let handler = Socks5Handler(wait: wait, logger: logger, destination: destination)
        do {
            try local.pipeline.syncOperations.addHandler(handler, position: .first)
        } catch {
            local.closeWithReset()
            return
        }
        local.read()
    }

    /// The reply for a stream that could not be opened.
    static func replyCode(for error: Error) -> Socks5Negotiation.ReplyCode {
        switch (error as? TunnelError)?.kind {
        case .streamDenied?: .notAllowedByRuleset
        case .streamUnreachable?: .connectionRefused
        case .noLiveTunnel?: .networkUnreachable
        default: .generalFailure
        }
    }
}

/// In front of the connection's `InputHold` until the request is parsed: it reads and
/// answers the handshake, passes on what the client sent after its request (to be held for
/// the relay), then stops reading and leaves once the stream is open.
private final class Socks5Handler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var negotiation = Socks5Negotiation()
    private var negotiating = true
    private var timeout: Scheduled<Void>?
    private let wait: TimeAmount
    private let logger: Logger
    private let destination: @Sendable (String) -> Socks5Destination

    init(wait: TimeAmount, logger: Logger, destination: @escaping @Sendable (String) -> Socks5Destination) {
        self.wait = wait
        self.logger = logger
        self.destination = destination
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let logger = self.logger
        timeout = context.eventLoop.scheduleTask(in: Socks5Connection.handshakeTimeout) {
            logger.notice("closing SOCKS5 client \(channel.remoteAddress.map { "\($0)" } ?? "?"): no complete request within \(Socks5Connection.handshakeTimeout.milliseconds) ms")
            channel.closeWithReset()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeout?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard negotiating else { return context.fireChannelRead(data) }
        let bytes = Array(unwrapInboundIn(data).readableBytesView)
        for action in negotiation.receive(bytes) {
            switch action {
            case let .send(reply):
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: reply)), promise: nil)
            case let .fail(reply, reason):
                fail(context: context, reply: reply, reason: reason)
                return
            case let .connect(host, port, surplus):
                negotiating = false
                timeout?.cancel()
                if !surplus.isEmpty {
                    context.fireChannelRead(wrapInboundOut(context.channel.allocator.buffer(bytes: surplus)))
                }
                connect(context: context, host: host, port: port)
                return
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if negotiating { context.read() } else { context.fireChannelReadComplete() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if negotiating, case .some(ChannelEvent.inputClosed) = event as? ChannelEvent {
            fail(context: context, reply: nil, reason: "the client closed before its request")
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func fail(context: ChannelHandlerContext, reply: [UInt8]?, reason: String) {
        negotiating = false
        timeout?.cancel()
        logger.notice("refusing SOCKS5 client \(context.channel.remoteAddress.map { "\($0)" } ?? "?"): \(reason)")
        let channel = context.channel
        guard let reply else { return channel.closeWithReset() }
        // The reply first, then a plain close: the client reads the code before the end.
        context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(bytes: reply))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    private func connect(context: ChannelHandlerContext, host: String, port: UInt16) {
        let pool: ServerPool
        switch destination(host) {
        case let .server(found): pool = found
        case let .refused(reason):
            fail(context: context, reply: Socks5Negotiation.reply(.hostUnreachable), reason: reason)
            return
        }
        let local = context.channel
        let loop = context.eventLoop
        let logger = self.logger
        pool.openStream(port: port, preferring: loop, wait: wait, answerFirst: true)
            .flatMap { opened in opened.answer.map { opened } }
            .hop(to: loop)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case let .success(opened):
                    guard local.isActive else { return opened.channel.closeWithReset() }
                    local.writeAndFlush(local.allocator.buffer(bytes: Socks5Negotiation.reply(.succeeded)), promise: nil)
                    _ = local.pipeline.syncOperations.removeHandler(self)
                    LocalConnection.relay(local, opened, logger: logger)
                case let .failure(error):
                    logger.notice("SOCKS5 \(host):\(port) via \(pool.endpoint.name): \(error)")
                    let reply = Socks5Negotiation.reply(Socks5Connection.replyCode(for: error))
                    local.writeAndFlush(local.allocator.buffer(bytes: reply)).whenComplete { _ in local.close(promise: nil) }
                }
            }
    }
}
