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

    private static func checkPorts(_ forwards: [ForwardSpec], on loop: EventLoop) -> EventLoopFuture<Void> {
        forwards.reduce(loop.makeSucceededVoidFuture()) { checked, spec in
            checked.flatMap { ForwardListener.checkPort(spec, on: loop) }
        }
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
        let listeners = self.listeners
        let pools = self.pools
        let openConnections: @Sendable () -> Int = { listeners.reduce(0) { $0 + $1.openConnections } }
        let closed = EventLoopFuture.andAllComplete(listeners.map { $0.close() }, on: loop)
        return closed.flatMap {
            let open = openConnections()
            guard open > 0, drainTimeout > .zero else {
                pools.values.forEach { $0.stop() }
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
                pools.values.forEach { $0.stop() }
            }
        }
    }
}
