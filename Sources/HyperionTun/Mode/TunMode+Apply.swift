#if os(Linux)
import HyperionConfig
import HyperionTunnel
import Logging
import NIOCore

/// The managed daemon's live changes: servers added or removed without a restart, and the
/// status of every pool.
extension TunMode {
    /// What `apply` changed, by server name.
    public struct Changes: Sendable, Hashable {
        public var added: [String] = []
        public var removed: [String] = []
        /// Servers whose entry changed (address, key, fake addresses...): replaced.
        public var replaced: [String] = []

        public var isEmpty: Bool { added.isEmpty && removed.isEmpty && replaced.isEmpty }
    }

    /// Makes the running servers those of `servers`, whose endpoints (keys resolved) are
    /// `endpoints`: a removed server's pool stops (its open streams end), a new one gets a
    /// pool and its addresses, a changed one is replaced. Unchanged servers are not touched.
    /// A server whose host name does not resolve is left out and reported in the error,
    /// after every other change has been made.
    public func apply(servers newServers: [ClientConfig.Server], endpoints: [TunnelEndpoint], logger: Logger) throws -> Changes {
        let old = servers.withLockedValue { $0 }
        let oldByName = Dictionary(old.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newNames = Set(newServers.map(\.name))
        var changes = Changes()
        for server in old where !newNames.contains(server.name) {
            client.pools.remove(named: server.name)
            changes.removed.append(server.name)
        }
        var applied = old.filter { newNames.contains($0.name) }
        var failures: [String] = []
        for (server, endpoint) in zip(newServers, endpoints) {
            if let previous = oldByName[server.name] {
                guard previous != server else { continue }
                client.pools.remove(named: server.name)
                applied.removeAll { $0.name == server.name }
                changes.replaced.append(server.name)
            } else {
                changes.added.append(server.name)
            }
            guard let pool = client.pools.add(endpoint) else { continue }
            do {
                try Self.route(server, into: client.pools, logger: logger)
            } catch {
                client.pools.remove(named: server.name)
                failures.append("\(server.name): \(error)")
                continue
            }
            running.start(pool, loopOffset: client.pools.all.count)
            applied.append(server)
        }
        servers.withLockedValue { $0 = applied }
        if !changes.isEmpty {
            logger.notice("servers changed", metadata: [
                "added": "\(changes.added.joined(separator: ","))", "removed": "\(changes.removed.joined(separator: ","))",
                "replaced": "\(changes.replaced.joined(separator: ","))",
            ])
        }
        if !failures.isEmpty {
            throw TunnelError(.configuration, "not applied: \(failures.joined(separator: "; "))")
        }
        return changes
    }

    /// Every server's pool, in config order.
    public func snapshot() -> [PoolStatus] {
        client.pools.all.map { $0.snapshot() }
    }
}

extension TunMode.Running {
    /// Arms `pool` as TUN mode does: it connects on its first flow.
    func start(_ pool: ServerPool, loopOffset: Int) {
        pool.startOnDemand(group: group, loopOffset: loopOffset, idleAfter: idleAfter)
    }
}
#endif
