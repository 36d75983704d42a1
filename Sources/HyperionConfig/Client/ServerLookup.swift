/// Which configured server a host name given on a command line means: what ssh passes
/// as `%h` to `hyperion-client connect`, or a SOCKS5 client's destination.
public enum ServerLookup {
    /// The suffix of managed mode's names: `web1.hyperion` is the server called `web1`.
    public static let domain = "hyperion"

    public enum Result: Sendable, Hashable {
        case found(ClientConfig.Server)
        case unknown
        /// More than one server has that address (on different ports, say).
        case ambiguous([String])
    }

    /// `host` as a server's name (any case), as `NAME.hyperion`, as the host of its
    /// `addr` exactly as written (a name or an IP), or as one of its fake addresses. No
    /// DNS: a name that is not in the config is unknown.
    public static func find(_ host: String, in servers: [ClientConfig.Server]) -> Result {
        var name = host
        if name.hasSuffix(".") { name.removeLast() }
        let lowered = name.lowercased()
        if let server = servers.first(where: { $0.name.lowercased() == lowered }) { return .found(server) }
        let suffix = "." + domain
        if lowered.hasSuffix(suffix) {
            let bare = String(lowered.dropLast(suffix.count))
            return servers.first(where: { $0.name.lowercased() == bare }).map { .found($0) } ?? .unknown
        }
        let ip = IPAddress(unbracketed(name))
        let matches = servers.filter { server in
            if let ip {
                if server.fakeAddress == ip || server.fakeAddress6 == ip { return true }
                if case .ip(let own) = server.address.host { return own == ip }
                return false
            }
            if case .name(let own) = server.address.host { return own.lowercased() == lowered }
            return false
        }
        switch matches.count {
        case 0: return .unknown
        case 1: return .found(matches[0])
        default: return .ambiguous(matches.map(\.name))
        }
    }

    private static func unbracketed(_ text: String) -> String {
        text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
    }
}
