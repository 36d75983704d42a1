import HyperionCrypto
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `hyperion-client run`: one pool per server that a forward uses, and the forwards'
/// listeners. Listeners stay up while tunnels flap; local connections wait, bounded, for
/// a live tunnel.
public final class TunnelClient: Sendable {
    public let pools: [String: ServerPool]
    public let listeners: [ForwardListener]

    private init(pools: [String: ServerPool], listeners: [ForwardListener]) {
        self.pools = pools
        self.listeners = listeners
    }

    public static func start(
        endpoints: [TunnelEndpoint], forwards: [ForwardSpec], settings: TunnelClientSettings, group: EventLoopGroup, logger: Logger
    ) -> EventLoopFuture<TunnelClient> {
        NoiseCipherState.prepareTransportCipher()
        let loop = group.next()
        // Every forward's port first, before any tunnel connection is made: a port in use
        // then fails the start with that one error, not after connections were begun and
        // torn down again (whose aborted handshakes logged misleading lines).
        return checkPorts(forwards, on: loop).flatMap {
            startPoolsAndListeners(endpoints: endpoints, forwards: forwards, settings: settings, group: group, loop: loop, logger: logger)
        }
    }

    /// Binds each forward's address once and closes it again, with SO_REUSEADDR as the
    /// listeners have (connections of an earlier run in TIME-WAIT do not block a restart).
    private static func checkPorts(_ forwards: [ForwardSpec], on loop: EventLoop) -> EventLoopFuture<Void> {
        var checked = loop.makeSucceededVoidFuture()
        for spec in forwards where spec.localPort != 0 {
            checked = checked.flatMap {
                ServerBootstrap(group: loop)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .bind(host: spec.localHost, port: spec.localPort)
                    .flatMap { $0.close() }
                    .flatMapErrorThrowing { throw ForwardPortUnavailable(spec: spec, underlying: $0) }
            }
        }
        return checked
    }

    private static func startPoolsAndListeners(
        endpoints: [TunnelEndpoint], forwards: [ForwardSpec], settings: TunnelClientSettings, group: EventLoopGroup, loop: EventLoop,
        logger: Logger
    ) -> EventLoopFuture<TunnelClient> {
        let used = Set(forwards.map(\.serverName))
        var pools: [String: ServerPool] = [:]
        for (index, endpoint) in endpoints.enumerated() where used.contains(endpoint.name) {
            let pool = ServerPool(endpoint: endpoint, settings: settings, logger: logger)
            pool.start(group: group, loopOffset: index)
            pools[endpoint.name] = pool
        }
        let started = forwards.map { spec -> EventLoopFuture<ForwardListener> in
            guard let pool = pools[spec.serverName] else {
                return loop.makeFailedFuture(TunnelError(.bindFailed, "forward \(spec) names server \(spec.serverName), which is not configured"))
            }
            return ForwardListener.start(spec, pool: pool, group: group, settings: settings, logger: logger)
        }
        let finalPools = pools
        return EventLoopFuture.whenAllComplete(started, on: loop).flatMapThrowing { results in
            var listeners: [ForwardListener] = []
            var firstError: Error?
            for result in results {
                switch result {
                case let .success(listener): listeners.append(listener)
                case let .failure(error): firstError = firstError ?? error
                }
            }
            if let firstError {
                listeners.forEach { _ = $0.close() }
                finalPools.values.forEach { $0.stop() }
                throw firstError
            }
            for listener in listeners {
                logger.notice("forwarding", metadata: ["forward": "\(listener.spec)", "port": "\(listener.boundPort)"])
            }
            return TunnelClient(pools: finalPools, listeners: listeners)
        }
    }

    /// Closes the listeners and the tunnels at once.
    public func shutdown(on loop: EventLoop) -> EventLoopFuture<Void> {
        shutdown(on: loop, drainTimeout: .zero, logger: nil)
    }

    /// Stops accepting local connections, lets the open ones finish for at most
    /// `drainTimeout`, then closes the tunnels, and with them whatever is left. When
    /// `cutShort` succeeds first (a second SIGINT or SIGTERM), that happens at once. Like
    /// the server's drain: a transfer in flight when the signal came is not cut.
    public func shutdown(
        on loop: EventLoop, drainTimeout: TimeAmount, endingDrainOn cutShort: EventLoopFuture<Void>? = nil, logger: Logger?
    ) -> EventLoopFuture<Void> {
        let ports = Set(listeners.map(\.boundPort))
        let pools = self.pools
        let closed = EventLoopFuture.andAllComplete(listeners.map { $0.close() }, on: loop)
        return closed.flatMap {
            let open = LocalConnections.count(onPorts: ports)
            guard open > 0, drainTimeout > .zero else {
                pools.values.forEach { $0.stop() }
                return loop.makeSucceededVoidFuture()
            }
            logger?.notice("draining \(open) local connection(s) for at most \(drainTimeout.milliseconds) ms")
            let done = loop.makePromise(of: Void.self)
            let poll = loop.scheduleRepeatedTask(initialDelay: LocalConnections.pollInterval, delay: LocalConnections.pollInterval) { _ in
                if LocalConnections.count(onPorts: ports) == 0 { done.succeed(()) }
            }
            let deadline = loop.scheduleTask(in: drainTimeout) {
                let left = LocalConnections.count(onPorts: ports)
                logger?.notice("drain timeout (\(drainTimeout.milliseconds) ms) reached: closing \(left) local connection(s)")
                done.succeed(())
            }
            cutShort?.hop(to: loop).whenSuccess {
                let left = LocalConnections.count(onPorts: ports)
                if left > 0 { logger?.notice("drain ended early: closing \(left) local connection(s)") }
                done.succeed(())
            }
            return done.futureResult.always { _ in
                poll.cancel()
                deadline.cancel()
                pools.values.forEach { $0.stop() }
            }
        }
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

/// The local connections still open on the forwards, found among this process's
/// descriptors: connected TCP sockets whose local port is a forward's. Once the listeners
/// are closed, those are exactly the relayed (or still waiting) local connections, however
/// far their stream got, which is what a drain waits for.
enum LocalConnections {
    static let pollInterval = TimeAmount.milliseconds(50)

    static func count(onPorts ports: Set<Int>) -> Int {
        guard !ports.isEmpty else { return 0 }
        #if os(Linux)
        let listing = "/proc/self/fd"
        #else
        let listing = "/dev/fd"
        #endif
        guard let directory = opendir(listing) else { return 0 }
        defer { closedir(directory) }
        let own = dirfd(directory)
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(name), fd != own, isConnectedStream(fd), let port = localPort(fd), ports.contains(port) else { continue }
            count += 1
        }
        return count
    }

    private static func isConnectedStream(_ fd: Int32) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK else { return false }
        return option(fd, SO_TYPE) == Int32(sockType) && option(fd, SO_ACCEPTCONN) == 0
    }

    private static func option(_ fd: Int32, _ name: Int32) -> Int32? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, name, &value, &length) == 0 ? value : nil
    }

    private static func localPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) } }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) } }
        default:
            return nil
        }
    }

    #if os(Linux)
    private static let sockType = SOCK_STREAM.rawValue
    #else
    private static let sockType = SOCK_STREAM
    #endif
}
