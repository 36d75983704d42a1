import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A pool for every configured server, found by name (a forward names its server) or by
/// address (TUN mode sees only the destination of a packet). A pool connects only once it
/// is started, so a pool nobody uses costs nothing.
public final class ServerPools: Sendable {
    /// In config order.
    public let all: [ServerPool]
    private let byName: [String: ServerPool]
    /// Address bytes (4 or 16) to server name: real addresses resolved at start, fake ones.
    private let addresses = NIOLockedValueBox<[[UInt8]: String]>([:])

    public init(endpoints: [TunnelEndpoint], settings: TunnelClientSettings, logger: Logger) {
        all = endpoints.map { ServerPool(endpoint: $0, settings: settings, logger: logger) }
        byName = Dictionary(all.map { ($0.endpoint.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func pool(named name: String) -> ServerPool? { byName[name] }

    /// The pool of the server reached at `address` (4 or 16 bytes), if any.
    public func pool(at address: [UInt8]) -> ServerPool? {
        addresses.withLockedValue { $0[address] }.flatMap { byName[$0] }
    }

    /// Routes `address` to the server called `name`; an address already routed elsewhere
    /// is left as it is and reported as false.
    @discardableResult
    public func route(_ address: [UInt8], to name: String) -> Bool {
        addresses.withLockedValue { routes in
            if let existing = routes[address] { return existing == name }
            routes[address] = name
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
