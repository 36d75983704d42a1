/// The INPUT chain of `iptables-save` (or `ip6tables-save`) output, judged like the nftables
/// chains but more roughly: the text format has no structure to follow jumps by.
///
/// It drops the TUN's new connections when its policy is DROP (or its last rule is a bare
/// `-j DROP`/`-j REJECT`), unless a rule matches the device by name (`-i hyperion0`, or a
/// `+` wildcard such as `-i hyperion+`) without dropping, or accepts everything.
struct IptablesInputPolicy: Equatable, Sendable {
    /// Whether the dump came from iptables-nft, whose rules nft lists too.
    let isNftBackend: Bool
    /// Nil when the dump has no filter table with an INPUT chain.
    let policy: String?
    let rules: [[String]]

    init(save text: String) {
        var inFilter = false
        var policy: String?
        var rules: [[String]] = []
        var nft = false
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("#") {
                if line.contains("nf_tables") || line.contains("iptables-nft") || line.contains("ip6tables-nft") { nft = true }
            } else if line.hasPrefix("*") {
                inFilter = line == "*filter"
            } else if inFilter, line.hasPrefix(":INPUT ") {
                policy = line.split(separator: " ").dropFirst().first.map(String.init)
            } else if inFilter, line.hasPrefix("-A INPUT ") {
                rules.append(line.split(separator: " ").dropFirst(2).map(String.init))
            }
        }
        self.isNftBackend = nft
        self.policy = policy
        self.rules = rules
    }

    /// Whether a new connection arriving on `interface` would be dropped.
    func dropsNewConnections(on interface: String) -> Bool {
        for rule in rules {
            let target = rule.firstIndex(of: "-j").flatMap { rule.indices.contains($0 + 1) ? rule[$0 + 1] : nil }
            if target == "ACCEPT", rule == ["-j", "ACCEPT"] { return false }
            if let index = rule.firstIndex(of: "-i"), rule.indices.contains(index + 1), index == 0 || rule[index - 1] != "!" {
                let pattern = rule[index + 1]
                let named = pattern.hasSuffix("+") ? interface.hasPrefix(pattern.dropLast()) : interface == pattern
                if named, target != "DROP", target != "REJECT" { return false }
            }
        }
        if policy == "DROP" { return true }
        guard let last = rules.last, let first = last.first, first == "-j", last.count >= 2 else { return false }
        return last[1] == "DROP" || last[1] == "REJECT"
    }
}
