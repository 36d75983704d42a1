import HyperionConfig

/// The first packet of every TUN flow as the kernel's input path sees it: TUN mode rewrites
/// an application's SYN to come from the virtual peer and go to the device's own address,
/// and writes it back into the device, where the listener must accept it. Conntrack sees a
/// new connection; the listener's port is ephemeral, so no port rule can be relied upon.
struct TunInputProbe: Sendable {
    let interface: String
    let source: IPAddress
    let destination: IPAddress
    var family: IPAddress.Family { source.family }
}

/// Follows a probe through one nftables base chain, a little like the kernel does.
///
/// A heuristic, not an nftables interpreter: it understands matches on the input interface
/// (`iifname`, `iif`, with `*` wildcards and anonymous sets), the IP or IPv6 source and
/// destination (addresses, prefixes, ranges), the protocol and `ct state`, and verdicts,
/// verdict maps, `jump` and `goto`. A rule with anything else it cannot judge (a port, a
/// named set, a rate limit, a mark) is taken not to match. So a firewall that admits the
/// TUN only by such a rule is reported as dropping it, a false alarm the admin can
/// dismiss; one that explicitly accepts the device's name or subnet is always recognised.
struct NftablesInputVerdict {
    enum Outcome: Equatable {
        case accepted
        /// Why it is dropped, for the report: "its policy drop" or "rule handle 7 (drop)".
        case dropped(String)
    }

    let ruleset: NftablesRuleset
    let probe: TunInputProbe

    /// The fate of the probe in `chain`, a base chain. Each base chain at a hook decides on
    /// its own: an accept in one does not save a packet another drops.
    func outcome(of chain: NftablesRuleset.Chain) -> Outcome {
        switch run(chain, depth: 0) {
        case .accept: .accepted
        case let .drop(reason): .dropped(reason)
        case .fallThrough: chain.policy == "drop" ? .dropped("its policy drop") : .accepted
        }
    }

    private enum ChainResult {
        case accept
        case drop(String)
        /// The end of the chain, or `return`: back to the caller (the policy, for a base chain).
        case fallThrough
    }

    private enum RuleResult {
        case notApplicable
        case verdict(JSONValue)
    }

    private func run(_ chain: NftablesRuleset.Chain, depth: Int) -> ChainResult {
        // nft refuses loops, but a ruleset read from text is not trusted to be sane.
        guard depth < 16 else { return .fallThrough }
        for rule in chain.rules {
            guard case let .verdict(verdict) = evaluate(rule) else { continue }
            let target = { (key: String) in verdict[key]?["target"]?.string.flatMap { ruleset.chains[.init(family: chain.id.family, table: chain.id.table, name: $0)] } }
            if verdict["accept"] != nil { return .accept }
            if verdict["drop"] != nil || verdict["reject"] != nil {
                let handle = rule.handle.map { "rule handle \($0)" } ?? "a rule"
                return .drop("\(handle) in \(chain.id.name) (\(verdict["drop"] != nil ? "drop" : "reject"))")
            }
            if verdict["return"] != nil { return .fallThrough }
            if let next = target("jump") {
                let result = run(next, depth: depth + 1)
                if case .fallThrough = result { continue }
                return result
            }
            // goto leaves this chain for good: when the target ends, so has this one.
            if let next = target("goto") { return run(next, depth: depth + 1) }
        }
        return .fallThrough
    }

    /// The rule's verdict for the probe, or not applicable when a match fails, cannot be
    /// judged, or the rule has no verdict (a counter, a log).
    private func evaluate(_ rule: NftablesRuleset.Rule) -> RuleResult {
        for expression in rule.expressions {
            if let match = expression["match"] {
                guard matches(match) == true else { return .notApplicable }
            } else if let map = expression["vmap"] {
                guard let key = map["key"].flatMap(value), let entries = map["data"]?["set"]?.array else { return .notApplicable }
                for entry in entries {
                    guard let pair = entry.array, pair.count == 2 else { continue }
                    if element(pair[0], contains: key) == true { return .verdict(pair[1]) }
                }
                return .notApplicable
            } else if Self.verdicts.contains(where: { expression[$0] != nil }) {
                return .verdict(expression)
            } else if !Self.passive.contains(where: { expression[$0] != nil }) {
                return .notApplicable
            }
        }
        return .notApplicable
    }

    private static let verdicts = ["accept", "drop", "reject", "jump", "goto", "return"]
    /// Statements that neither match nor decide.
    private static let passive = ["counter", "log", "continue"]

    /// What the left side of a match is for the probe.
    private enum Value {
        case interface(String)
        case word(String)
        case tcp
        case address(IPAddress)
        /// A field of the other IP version: the rule implies that version, so it never matches.
        case otherFamily
    }

    private func value(_ left: JSONValue) -> Value? {
        if let key = left["meta"]?["key"]?.string {
            switch key {
            case "iifname", "iif": return .interface(probe.interface)
            case "nfproto": return .word(probe.family == .v4 ? "ipv4" : "ipv6")
            case "l4proto": return .tcp
            default: return nil
            }
        }
        if left["ct"]?["key"]?.string == "state" { return .word("new") }
        if let payload = left["payload"], let proto = payload["protocol"]?.string, let field = payload["field"]?.string {
            guard proto == "ip" || proto == "ip6" else { return nil }
            guard (proto == "ip") == (probe.family == .v4) else { return .otherFamily }
            switch field {
            case "saddr": return .address(probe.source)
            case "daddr": return .address(probe.destination)
            case "protocol", "nexthdr": return .tcp
            default: return nil
            }
        }
        return nil
    }

    private func matches(_ match: JSONValue) -> Bool? {
        guard let left = match["left"], let right = match["right"], let op = match["op"]?.string, let value = value(left) else { return nil }
        if case .otherFamily = value { return false }
        let found = element(right, contains: value)
        switch op {
        case "==", "in": return found
        case "!=": return found.map(!)
        default: return nil
        }
    }

    /// Whether `right` (a value, a set, a list of flags, a prefix or a range) holds `value`.
    private func element(_ right: JSONValue, contains value: Value) -> Bool? {
        if let elements = right["set"]?.array ?? right.array {
            let answers = elements.map { element($0, contains: value) }
            return answers.contains(true) ? true : (answers.contains(nil) ? nil : false)
        }
        switch value {
        case let .interface(name):
            guard let pattern = right.string, !pattern.hasPrefix("@") else { return nil }
            return pattern.hasSuffix("*") ? name.hasPrefix(pattern.dropLast()) : name == pattern
        case let .word(word):
            return right.string.map { $0 == word }
        case .tcp:
            if let number = right.number { return number == 6 }
            return right.string.map { $0 == "tcp" }
        case let .address(address):
            if let text = right.string {
                return text.hasPrefix("@") ? nil : IPAddress(text).map { $0 == address }
            }
            if let prefix = right["prefix"], let base = prefix["addr"]?.string.flatMap(IPAddress.init), let length = prefix["len"]?.number {
                return Subnet(base: base, prefix: Int(length)).contains(address)
            }
            if let bounds = right["range"]?.array, bounds.count == 2,
               let low = bounds[0].string.flatMap(IPAddress.init), let high = bounds[1].string.flatMap(IPAddress.init) {
                guard low.family == address.family, high.family == address.family else { return false }
                return !address.bytes.lexicographicallyPrecedes(low.bytes) && !high.bytes.lexicographicallyPrecedes(address.bytes)
            }
            return nil
        case .otherFamily:
            return false
        }
    }
}
