import HyperionConfig

/// The chains and rules of `nft -j list ruleset`, as far as the doctor needs them: enough to
/// follow what the kernel does with the first packet of a TUN flow.
struct NftablesRuleset: Sendable {
    struct ChainID: Hashable, Sendable, CustomStringConvertible {
        let family: String
        let table: String
        let name: String
        var description: String { "\(family) \(table) \(name)" }
    }

    struct Chain: Sendable {
        let id: ChainID
        /// Set on base chains only: where the chain is attached ("input", "prerouting", ...).
        let hook: String?
        let type: String?
        let policy: String?
        var rules: [Rule] = []
    }

    struct Rule: Sendable {
        let handle: Int?
        let expressions: [JSONValue]
    }

    private(set) var chains: [ChainID: Chain] = [:]
    /// Chains in the order nft listed them, so reports come out in ruleset order.
    private(set) var order: [ChainID] = []

    /// Nil when the text is not nft's JSON: there is no `nftables` array at the top.
    init?(json text: String) {
        guard let items = (try? JSONValue.parse(text))?["nftables"]?.array else { return nil }
        for item in items {
            if let chain = item["chain"], let id = Self.id(chain, nameKey: "name") {
                order.append(id)
                chains[id] = Chain(id: id, hook: chain["hook"]?.string, type: chain["type"]?.string, policy: chain["policy"]?.string)
            } else if let rule = item["rule"], let id = Self.id(rule, nameKey: "chain") {
                // nft lists a chain before its rules; a rule of an unknown chain is ignored.
                chains[id]?.rules.append(Rule(handle: rule["handle"]?.number.map { Int($0) }, expressions: rule["expr"]?.array ?? []))
            }
        }
    }

    private static func id(_ object: JSONValue, nameKey: String) -> ChainID? {
        guard let family = object["family"]?.string, let table = object["table"]?.string, let name = object[nameKey]?.string else { return nil }
        return ChainID(family: family, table: table, name: name)
    }

    /// The filter base chains that see a packet arriving on an interface: prerouting and
    /// input. TUN mode's packets are all for local addresses (the listener on the device
    /// and the applications' own sockets), so the forward hook never sees them.
    func inboundBaseChains(for family: IPAddress.Family) -> [Chain] {
        let families = family == .v4 ? ["ip", "inet"] : ["ip6", "inet"]
        return order.compactMap { chains[$0] }.filter {
            ($0.hook == "input" || $0.hook == "prerouting") && ($0.type ?? "filter") == "filter" && families.contains($0.id.family)
        }
    }
}
