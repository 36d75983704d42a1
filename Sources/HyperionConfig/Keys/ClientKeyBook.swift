import HyperionCrypto

/// The shared keys a long-running client has resolved, kept so that servers added while it
/// runs get theirs without asking again: the fleet `[key]` (derived at start even with no
/// server yet) and each override already seen. A new server with an override that was
/// never resolved cannot be served without a restart: the passphrase or variable is gone.
public struct ClientKeyBook: Sendable {
    private let fleet: (source: KeySource, key: PresharedKey)?
    private var bySource: [KeySource: PresharedKey]

    /// Resolves the fleet key and every server's key of `config`.
    public init(config: ClientConfig, resolver: KeySourceResolver) throws {
        var bySource: [KeySource: PresharedKey] = [:]
        if let source = config.key {
            let key = try resolver.resolve(source, origin: "[key] of \(config.path)")
            fleet = (source, key)
            bySource[source] = key
        } else {
            fleet = nil
        }
        for server in config.servers {
            guard let source = server.keyOverride, bySource[source] == nil else { continue }
            bySource[source] = try resolver.resolve(source, origin: "[[server]] \(Quoted(server.name)) of \(config.path)")
        }
        self.bySource = bySource
    }

    /// Each server's key by name. Throws naming the servers whose key is not in the book
    /// (a changed `[key]`, or an override never resolved).
    public func keys(for config: ClientConfig) throws -> [String: PresharedKey] {
        var keys: [String: PresharedKey] = [:]
        var missing: [String] = []
        for server in config.servers {
            let source = server.keyOverride ?? config.key
            if let source, let key = bySource[source] {
                keys[server.name] = key
            } else {
                missing.append(server.name)
            }
        }
        guard missing.isEmpty else {
            throw ConfigError(
                .secretUnavailable, file: config.path,
                "the shared key of \(missing.map { Quoted($0).description }.joined(separator: ", ")) was not resolved when the daemon started ([key] changed, or a key override is new); restart it: down, then up"
            )
        }
        return keys
    }

    /// Whether `config` uses the same fleet key source as the book.
    public func sameFleet(as config: ClientConfig) -> Bool { fleet?.source == config.key }
}
