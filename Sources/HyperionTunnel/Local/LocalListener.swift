import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Where a listener listens and what for: `127.0.0.1:2201` for "forward 127.0.0.1:2201 ->
/// web1:22", or the TUN address for TUN mode.
public struct LocalEndpoint: Sendable, CustomStringConvertible {
    /// An IP literal, without brackets.
    public var host: String
    /// 0 picks a free port.
    public var port: Int
    /// For logs and errors: `forward 127.0.0.1:2201 -> web1:22`.
    public var purpose: String

    public init(host: String, port: Int, purpose: String) {
        self.host = host
        self.port = port
        self.purpose = purpose
    }

    /// The address as written in a config: `127.0.0.1:2201`, `[::1]:2201`.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The listening sockets for local connections, one path for `-L` forwards and TUN mode:
/// for each accepted connection the listener asks its resolver where the connection goes
/// (a `StreamTarget`), then relays it there.
///
/// There is one socket on each of `loops`, sharing the port through SO_REUSEPORT. The
/// kernel spreads the accepted connections over those loops, and each is relayed over a
/// tunnel connection on its own loop, with no thread hop (see `ServerPool`). The sockets
/// join the port's group in the order of `loops` (socket i serves `loops[i]`), so that a
/// program steering connections by that index (`SteeringSetup`) knows the loop it picks.
public final class LocalListener: Sendable {
    public typealias Resolver = @Sendable (Channel) -> StreamTarget?
    /// Runs on the first socket before it binds (the SO_REUSEPORT group's program must be
    /// attached then); a failure fails the listener.
    public typealias SteeringSetup = @Sendable (Channel) -> EventLoopFuture<Void>

    public let endpoint: LocalEndpoint
    private let channels: [Channel]
    private let accepted: OpenConnections

    /// Local connections accepted and not yet closed, relayed or still waiting for their
    /// stream: what a drain waits for once the listeners are closed.
    public var openConnections: Int { accepted.count }

    /// The port actually bound (differs from the endpoint's when that asked for port 0).
    public var boundPort: Int { channels.first?.localAddress?.port ?? endpoint.port }

    private init(endpoint: LocalEndpoint, channels: [Channel], accepted: OpenConnections) {
        self.endpoint = endpoint
        self.channels = channels
        self.accepted = accepted
    }

    /// Binds `endpoint` on every loop of `loops` (at least one). A port that cannot be
    /// bound fails with `LocalPortUnavailable`.
    public static func start(
        _ endpoint: LocalEndpoint, loops: [EventLoop], streamWait: TimeAmount, logger: Logger,
        steering: SteeringSetup? = nil, resolve: @escaping Resolver
    ) -> EventLoopFuture<LocalListener> {
        start(endpoint, loops: loops, logger: logger, steering: steering) { local, logger in
            LocalConnection.serve(local, target: resolve(local), wait: streamWait, logger: logger)
        }
    }

    /// Serves each accepted connection with `serve`, once it is active, its input held and
    /// autoRead off (the SOCKS5 listener negotiates before it knows the target).
    static func start(
        _ endpoint: LocalEndpoint, loops: [EventLoop], logger: Logger, steering: SteeringSetup? = nil, serve: @escaping Serve
    ) -> EventLoopFuture<LocalListener> {
        precondition(!loops.isEmpty, "a listener needs at least one event loop")
        let first = loops[0]
        var logger = logger
        logger[metadataKey: "listener"] = "\(endpoint.purpose)"
        let serving = Serving(logger: logger, serve: serve)

        return checkPort(endpoint, on: first).flatMap {
            bind(endpoint, port: endpoint.port, loop: first, serving: serving, steering: steering)
                .flatMapErrorThrowing { throw LocalPortUnavailable(endpoint: endpoint, underlying: $0) }
        }.flatMap { firstChannel in
            let port = firstChannel.localAddress?.port ?? endpoint.port
            // One after the other: a socket's place in the SO_REUSEPORT group is the order
            // in which it started listening.
            let others = loops.dropFirst().reduce(first.makeSucceededFuture([firstChannel])) { bound, loop in
                bound.flatMap { channels in
                    bind(endpoint, port: port, loop: loop, serving: serving, steering: nil)
                        .map { channels + [$0] }
                        .flatMapError { error in
                            channels.dropFirst().forEach { $0.close(promise: nil) }
                            return first.makeFailedFuture(error)
                        }
                }
            }
            return others
                .map { LocalListener(endpoint: endpoint, channels: $0, accepted: serving.accepted) }
                .flatMapErrorThrowing { error in
                    firstChannel.close(promise: nil)
                    var taken = endpoint
                    taken.port = port
                    throw LocalPortUnavailable(endpoint: taken, underlying: error)
                }
        }
    }

    typealias Serve = @Sendable (Channel, Logger) -> Void

    /// What every socket of one listener shares.
    private struct Serving: Sendable {
        let logger: Logger
        let serve: Serve
        let accepted = OpenConnections()
    }

    private static func bind(
        _ endpoint: LocalEndpoint, port: Int, loop: EventLoop, serving: Serving, steering: SteeringSetup?
    ) -> EventLoopFuture<Channel> {
        var bootstrap = ServerBootstrap(group: loop, childGroup: loop)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { server in
                ListenerGuard.install(on: server, what: endpoint.purpose, logger: serving.logger).flatMap {
                    steering?(server) ?? server.eventLoop.makeSucceededVoidFuture()
                }
            }
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        #if os(Linux)
        bootstrap = bootstrap.serverChannelOption(TunnelSocketOptions.reusePort, value: 1)
        #endif
        return bootstrap
            .childChannelInitializer { local in
                local.eventLoop.makeCompletedFuture {
                    try local.setRelayOptions()
                    try prepare(local: local) { serving.serve($0, serving.logger) }
                    serving.accepted.track(local)
                }
            }
            .bind(host: endpoint.host, port: port)
    }

    /// Binds the endpoint once and closes it again, so that a port in use is an error:
    /// SO_REUSEPORT, which the listeners need, would let them share the port with a stale
    /// instance of ourselves. With SO_REUSEADDR, as the listeners have: connections of an
    /// earlier run left in TIME-WAIT must not stop a restart, only a live listener. The
    /// socket never listens: a client connecting at that moment must be refused (and try
    /// again), not accepted into a backlog that the close would reset.
    static func checkPort(_ endpoint: LocalEndpoint, on loop: EventLoop) -> EventLoopFuture<Void> {
        guard endpoint.port != 0 else { return loop.makeSucceededVoidFuture() }
        do {
            let address = try SocketAddress(ipAddress: endpoint.host, port: endpoint.port)
            let fd = socket(address.protocol.rawValue, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
            defer { _ = Glibc.close(fd) }
            var one: Int32 = 1
            guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                throw IOError(errnoCode: errno, reason: "setsockopt(SO_REUSEADDR)")
            }
            let bound = address.withSockAddr { Glibc.bind(fd, $0, socklen_t($1)) }
            guard bound == 0 else { throw IOError(errnoCode: errno, reason: "bind(descriptor:ptr:bytes:)") }
            return loop.makeSucceededVoidFuture()
        } catch {
            return loop.makeFailedFuture(LocalPortUnavailable(endpoint: endpoint, underlying: error))
        }
    }

    /// Sets up a freshly accepted local connection from the child initializer: its early
    /// input is held, and `start` runs once NIO has made it active, not before.
    static func prepare(local: Channel, start: @escaping (Channel) -> Void) throws {
        try local.pipeline.syncOperations.addHandlers(InputHold(), ActivationHook(start: start))
    }

    public func close() -> EventLoopFuture<Void> {
        guard let loop = channels.first?.eventLoop else { return MultiThreadedEventLoopGroup.singleton.any().makeSucceededVoidFuture() }
        return EventLoopFuture.andAllComplete(channels.map { $0.close() }, on: loop)
    }
}

/// A local address that cannot be bound (in use, a privileged port, not an address of this
/// host); `underlying` is the bind's error.
public struct LocalPortUnavailable: Error, CustomStringConvertible {
    public let endpoint: LocalEndpoint
    public let underlying: Error

    public var description: String { "cannot listen on \(endpoint) for \(endpoint.purpose): \(underlying)" }
}
