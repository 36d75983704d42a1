import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A pool for every configured server, found by name (a forward names its server) or by
/// address (TUN mode sees only the destination of a packet). A pool connects only once it
/// is started, so a pool nobody uses costs nothing.
///
/// The set of servers can change while running (`add`, `remove`): the managed daemon
/// applies `add-server` and `rm-server` without a restart.
public final class ServerPools: Sendable {
    private let settings: TunnelClientSettings
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State {
        /// In config order.
        var pools: [ServerPool] = []
        var byName: [String: ServerPool] = [:]
        /// Address bytes (4 or 16) to server name: real addresses resolved at start, fake ones.
        var addresses: [[UInt8]: String] = [:]
    }

    public init(endpoints: [TunnelEndpoint], settings: TunnelClientSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        for endpoint in endpoints { _ = add(endpoint) }
    }

    /// Every pool, in config order (servers added later come last).
    public var all: [ServerPool] { state.withLockedValue { $0.pools } }

    public func pool(named name: String) -> ServerPool? { state.withLockedValue { $0.byName[name] } }

    /// The pool of the server reached at `address` (4 or 16 bytes), if any.
    public func pool(at address: [UInt8]) -> ServerPool? {
        state.withLockedValue { state in state.addresses[address].flatMap { state.byName[$0] } }
    }

    /// A new, unstarted pool for `endpoint`; nil when a server of that name exists already.
    @discardableResult
    public func add(_ endpoint: TunnelEndpoint) -> ServerPool? {
        let pool = ServerPool(endpoint: endpoint, settings: settings, logger: logger)
        return state.withLockedValue { state in
            guard state.byName[endpoint.name] == nil else { return nil }
            state.pools.append(pool)
            state.byName[endpoint.name] = pool
            return pool
        }
    }

    /// Takes the server called `name` out, with its addresses, and stops its pool: its open
    /// streams end with their connections. Returns the pool, or nil when there was none.
    @discardableResult
    public func remove(named name: String) -> ServerPool? {
        let removed = state.withLockedValue { state -> ServerPool? in
            guard let pool = state.byName.removeValue(forKey: name) else { return nil }
            state.pools.removeAll { $0 === pool }
            state.addresses = state.addresses.filter { $0.value != name }
            return pool
        }
        removed?.stop()
        return removed
    }

    /// Routes `address` to the server called `name`; an address already routed elsewhere
    /// is left as it is and reported as false.
    @discardableResult
    public func route(_ address: [UInt8], to name: String) -> Bool {
        state.withLockedValue { state in
            if let existing = state.addresses[address] { return existing == name }
            state.addresses[address] = name
            return true
        }
    }

    /// Starts the pools of the servers called `names`, spread over `group`'s loops.
    public func start(named names: Set<String>, group: EventLoopGroup) {
        for (index, pool) in all.enumerated() where names.contains(pool.endpoint.name) {
            pool.start(group: group, loopOffset: index)
        }
    }

    public func stop() {
        all.forEach { $0.stop() }
    }
}
