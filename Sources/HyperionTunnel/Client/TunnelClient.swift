import HyperionConfig
import HyperionCrypto
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The client's runtime: a pool for every server and the listeners for local connections
/// (`-L` forwards, or TUN mode's). Listeners stay up while tunnels flap; local connections
/// wait, bounded, for a live tunnel.
public final class TunnelClient: Sendable {
    public let pools: ServerPools
    public let listeners: [LocalListener]

    public init(pools: ServerPools, listeners: [LocalListener]) {
        self.pools = pools
        self.listeners = listeners
    }

    /// `hyperion-client run`: starts the pools of the servers the forwards name, then a
    /// listener per forward, and with `socks` a SOCKS5 listener there, whose servers'
    /// pools start on their first use.
    public static func start(
        endpoints: [TunnelEndpoint], forwards: [Forward], socks: Socks5Listening? = nil, settings: TunnelClientSettings,
        group: EventLoopGroup, logger: Logger
    ) -> EventLoopFuture<TunnelClient> {
        NoiseCipherState.prepareTransportCipher()
        let loop = group.next()
        let pools = ServerPools(endpoints: endpoints, settings: settings, logger: logger)
        if let unknown = forwards.first(where: { pools.pool(named: $0.server) == nil }) {
            return loop.makeFailedFuture(TunnelError(.bindFailed, "forward \(unknown) names server \(unknown.server), which is not configured"))
        }
        // Every forward's port first, before any tunnel connection is made: a port in use
        // then fails the start with that one error, not after connections were begun and
        // torn down again (whose aborted handshakes logged misleading lines).
        let socksEndpoint = socks.map { LocalEndpoint(host: $0.address.ip.description, port: Int($0.address.port), purpose: "SOCKS5") }
        let endpoints = forwards.map(Self.localEndpoint)
        let checked = (endpoints + (socksEndpoint.map { [$0] } ?? [])).reduce(loop.makeSucceededVoidFuture()) { checked, endpoint in
            checked.flatMap { LocalListener.checkPort(endpoint, on: loop) }
        }
        return checked.flatMap {
            let forwarded = Set(forwards.map(\.server))
            pools.start(named: forwarded, group: group)
            var started = zip(forwards, endpoints).map { forward, endpoint -> EventLoopFuture<LocalListener> in
                let pool = pools.pool(named: forward.server)!
                let loops = pool.slotLoops.isEmpty ? Array(group.makeIterator()) : pool.slotLoops
                let target = StreamTarget.server(pool, port: forward.remotePort)
                return LocalListener.start(endpoint, loops: loops, streamWait: settings.streamWait, logger: logger) { _ in target }
            }
            if let socks, let socksEndpoint {
                for (index, pool) in pools.all.enumerated() where !forwarded.contains(pool.endpoint.name) {
                    pool.startOnDemand(group: group, loopOffset: index, idleAfter: nil)
                }
                let wait = settings.streamWait
                let destination = socks.destination(pools)
                started.append(LocalListener.start(socksEndpoint, loops: Array(group.makeIterator()), logger: logger) { local, logger in
                    Socks5Connection.serve(local, wait: wait, logger: logger, destination: destination)
                })
            }
            return collect(started, on: loop).map { TunnelClient(pools: pools, listeners: $0) }
                .flatMapErrorThrowing { error in
                    pools.stop()
                    throw error
                }
        }.map { client in
            for listener in client.listeners {
                logger.notice("forwarding", metadata: ["forward": "\(listener.endpoint.purpose)", "port": "\(listener.boundPort)"])
            }
            return client
        }
    }

    static func localEndpoint(_ forward: Forward) -> LocalEndpoint {
        LocalEndpoint(host: forward.local.ip.description, port: Int(forward.local.port), purpose: "forward \(forward)")
    }

    /// All the listeners, or the first error, with the others closed again.
    static func collect(_ started: [EventLoopFuture<LocalListener>], on loop: EventLoop) -> EventLoopFuture<[LocalListener]> {
        EventLoopFuture.whenAllComplete(started, on: loop).flatMapThrowing { results in
            let listeners = results.compactMap { try? $0.get() }
            for case let .failure(error) in results {
                listeners.forEach { _ = $0.close() }
                throw error
            }
            return listeners
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
        let listeners = self.listeners
        let pools = self.pools
        let openConnections: @Sendable () -> Int = { listeners.reduce(0) { $0 + $1.openConnections } }
        let closed = EventLoopFuture.andAllComplete(listeners.map { $0.close() }, on: loop)
        return closed.flatMap {
            let open = openConnections()
            guard open > 0, drainTimeout > .zero else {
                pools.stop()
                return loop.makeSucceededVoidFuture()
            }
            logger?.notice("draining \(open) local connection(s) for at most \(drainTimeout.milliseconds) ms")
            let done = loop.makePromise(of: Void.self)
            let poll = loop.scheduleRepeatedTask(initialDelay: .milliseconds(50), delay: .milliseconds(50)) { _ in
                if openConnections() == 0 { done.succeed(()) }
            }
            let deadline = loop.scheduleTask(in: drainTimeout) {
                let left = openConnections()
                logger?.notice("drain timeout (\(drainTimeout.milliseconds) ms) reached: closing \(left) local connection(s)")
                done.succeed(())
            }
            cutShort?.hop(to: loop).whenSuccess {
                let left = openConnections()
                if left > 0 { logger?.notice("drain ended early: closing \(left) local connection(s)") }
                done.succeed(())
            }
            return done.futureResult.always { _ in
                poll.cancel()
                deadline.cancel()
                pools.stop()
            }
        }
    }
}
