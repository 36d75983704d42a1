import Logging
import NIOCore
import NIOPosix
import Synchronization

/// One local port forward, like `ssh -L`: local connections are relayed over a new
/// stream to `127.0.0.1:remotePort` on the server.
public struct ForwardSpec: Sendable, Hashable, CustomStringConvertible {
    public var localHost: String
    public var localPort: Int
    public var serverName: String
    public var remotePort: UInt16

    public init(localHost: String, localPort: Int, serverName: String, remotePort: UInt16) {
        self.localHost = localHost
        self.localPort = localPort
        self.serverName = serverName
        self.remotePort = remotePort
    }

    public var description: String {
        let host = localHost.contains(":") ? "[\(localHost)]" : localHost
        return "\(host):\(localPort) -> \(serverName):\(remotePort)"
    }
}

/// The listening sockets of one forward: one on each event loop that carries a connection
/// to the forward's server, sharing the port through SO_REUSEPORT. The kernel spreads the
/// accepted connections over those loops, and each is relayed over a tunnel connection on
/// its own loop, with no thread hop (see `ServerPool`).
public final class ForwardListener: Sendable {
    public let spec: ForwardSpec
    private let channels: [Channel]
    private let accepted: OpenConnections

    /// Local connections accepted and not yet closed, relayed or still waiting for their
    /// stream: what a drain waits for once the listeners are closed.
    public var openConnections: Int { accepted.count }

    /// The port actually bound (differs from the spec when it asked for port 0).
    public var boundPort: Int { channels.first?.localAddress?.port ?? spec.localPort }

    private init(spec: ForwardSpec, channels: [Channel], accepted: OpenConnections) {
        self.spec = spec
        self.channels = channels
        self.accepted = accepted
    }

    public static func start(
        _ spec: ForwardSpec, pool: ServerPool, group: EventLoopGroup, settings: TunnelClientSettings, logger: Logger
    ) -> EventLoopFuture<ForwardListener> {
        let poolLoops = pool.slotLoops
        let loops = poolLoops.isEmpty ? Array(group.makeIterator()) : poolLoops
        let first = loops[0]
        var logger = logger
        logger[metadataKey: "forward"] = "\(spec)"
        let forwardLogger = logger
        let accepted = OpenConnections()

        return checkPort(spec, on: first).flatMapError { error in
            first.makeFailedFuture(TunnelError(.bindFailed, "\(error)"))
        }.flatMap {
            bind(spec, port: spec.localPort, loop: first, pool: pool, settings: settings, accepted: accepted, logger: forwardLogger)
        }.flatMap { firstChannel in
            let port = firstChannel.localAddress?.port ?? spec.localPort
            let others = loops.dropFirst().map {
                bind(spec, port: port, loop: $0, pool: pool, settings: settings, accepted: accepted, logger: forwardLogger)
            }
            return EventLoopFuture.whenAllSucceed(others, on: first)
                .map { ForwardListener(spec: spec, channels: [firstChannel] + $0, accepted: accepted) }
                .flatMapErrorThrowing { error in
                    firstChannel.close(promise: nil)
                    throw TunnelError(.bindFailed, "cannot listen on \(spec.localHost):\(port) for forward \(spec): \(error)")
                }
        }
    }

    private static func bind(
        _ spec: ForwardSpec, port: Int, loop: EventLoop, pool: ServerPool, settings: TunnelClientSettings, accepted: OpenConnections,
        logger: Logger
    ) -> EventLoopFuture<Channel> {
        var bootstrap = ServerBootstrap(group: loop, childGroup: loop)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { ListenerGuard.install(on: $0, what: "forward \(spec)", logger: logger) }
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        #if os(Linux)
        bootstrap = bootstrap.serverChannelOption(TunnelSocketOptions.reusePort, value: 1)
        #endif
        return bootstrap
            .childChannelInitializer { local in
                local.eventLoop.makeCompletedFuture {
                    try local.setRelayOptions()
                    try prepare(local: local) { serve($0, spec: spec, pool: pool, settings: settings, logger: logger) }
                    accepted.track(local)
                }
            }
            .bind(host: spec.localHost, port: port)
    }

    /// Binds the forward's address once and closes it again, so that a port in use is an
    /// error: SO_REUSEPORT, which the listeners need, would let them share the port with a
    /// stale instance of ourselves. With SO_REUSEADDR, as the listeners have: connections
    /// of an earlier run left in TIME-WAIT must not stop a restart, only a live listener.
    static func checkPort(_ spec: ForwardSpec, on loop: EventLoop) -> EventLoopFuture<Void> {
        guard spec.localPort != 0 else { return loop.makeSucceededVoidFuture() }
        return ServerBootstrap(group: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: spec.localHost, port: spec.localPort)
            .flatMap { $0.close() }
            .flatMapErrorThrowing { throw ForwardPortUnavailable(spec: spec, underlying: $0) }
    }

    /// Sets up a freshly accepted local connection from the child initializer: its early
    /// input is held, and `start` runs once NIO has made it active, not before.
    static func prepare(local: Channel, start: @escaping (Channel) -> Void) throws {
        try local.pipeline.syncOperations.addHandlers(InputHold(), ActivationHook(start: start))
    }

    /// Finds a stream for a freshly accepted local connection and relays between the two.
    /// Every failure before the relay carries data (no tunnel, refused, denied, unreachable,
    /// no answer) reaches the local application the same way, as a reset, with one line
    /// in the log saying why.
    private static func serve(_ local: Channel, spec: ForwardSpec, pool: ServerPool, settings: TunnelClientSettings, logger: Logger) {
        let loop = local.eventLoop
        pool.openStream(port: spec.remotePort, preferring: loop, wait: settings.streamWait)
            .hop(to: loop)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case let .success(opened):
                    // With early data the answer comes after the relay started; a refusal
                    // then closes the stream, and the relay resets the local connection.
                    // (Not logged when the user went away first and the stream ended for that.)
                    opened.answer.whenFailure { error in
                        if local.isActive { logResetting(local, error, logger) }
                    }
                    // A local connection that is gone by now is noticed by the relay, which
                    // then resets the stream.
                    Relay.start(local, opened.channel)
                case let .failure(error):
                    logResetting(local, error, logger)
                    local.closeWithReset()
                }
            }
    }

    private static func logResetting(_ local: Channel, _ error: Error, _ logger: Logger) {
        logger.notice("resetting local connection from \(local.remoteAddress.map { "\($0)" } ?? "?"): \(error)")
    }

    public func close() -> EventLoopFuture<Void> {
        guard let loop = channels.first?.eventLoop else { return MultiThreadedEventLoopGroup.singleton.any().makeSucceededVoidFuture() }
        return EventLoopFuture.andAllComplete(channels.map { $0.close() }, on: loop)
    }
}

/// A count of open channels: up when one is accepted, down when it closes.
final class OpenConnections: Sendable {
    private let value = Atomic<Int>(0)

    var count: Int { value.load(ordering: .relaxed) }

    func track(_ channel: Channel) {
        value.add(1, ordering: .relaxed)
        channel.closeFuture.whenComplete { _ in self.value.subtract(1, ordering: .relaxed) }
    }
}

/// A forward's local address that cannot be bound (in use, a privileged port, not an
/// address of this host); `underlying` is the bind's error.
public struct ForwardPortUnavailable: Error, CustomStringConvertible {
    public let spec: ForwardSpec
    public let underlying: Error

    /// The address as written in the config: `127.0.0.1:2201`, `[::1]:2201`.
    public var address: String {
        spec.localHost.contains(":") ? "[\(spec.localHost)]:\(spec.localPort)" : "\(spec.localHost):\(spec.localPort)"
    }

    public var description: String { "cannot listen on \(address) for forward \(spec): \(underlying)" }
}
