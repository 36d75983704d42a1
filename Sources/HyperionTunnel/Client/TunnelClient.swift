import HyperionCrypto
import Logging
import NIOCore

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

    /// Closes the listeners and the tunnels.
    public func shutdown(on loop: EventLoop) -> EventLoopFuture<Void> {
        let closed = listeners.map { $0.close() }
        pools.values.forEach { $0.stop() }
        return EventLoopFuture.andAllComplete(closed, on: loop)
    }
}
