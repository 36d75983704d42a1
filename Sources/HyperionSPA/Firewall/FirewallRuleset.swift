/// The base nftables ruleset (PROTOCOL.md §8, extended for IPv6) that
/// `hyperion-server print-firewall` prints for the admin to review and apply.
///
/// Default-drop on input; accepted are conntrack-established traffic, loopback, the ICMP
/// and ICMPv6 messages a host needs (without neighbor discovery IPv6 stops working, without
/// packet-too-big path MTU discovery does), and the tunnel port from addresses a knock put
/// in one of the two sets. The knock datagram itself is dropped too: the sniffer sees it on
/// a packet socket before the firewall does.
public enum FirewallRuleset {
    public static let defaultTable = "hyperion"
    public static let defaultSet = "knock_allow"
    public static let defaultSet6 = "knock_allow6"

    static let icmpTypes = ["echo-request", "destination-unreachable", "time-exceeded", "parameter-problem"]
    static let icmpv6Types = [
        "nd-neighbor-solicit", "nd-neighbor-advert", "nd-router-advert", "nd-router-solicit", "echo-request",
        "destination-unreachable", "packet-too-big", "time-exceeded", "parameter-problem",
    ]

    /// The ruleset text, loadable with `nft -f` exactly as returned.
    ///
    /// It starts with `table inet T { }` and `flush table inet T` so that applying it again
    /// replaces the previous rules in one atomic transaction instead of failing or adding
    /// duplicate rules. Unlike `delete table`, that works on the first application too, and
    /// `flush table` leaves the sets' elements alone, so re-applying locks no admin out.
    public static func render(
        tunnelPort: UInt16, table: String = defaultTable, set: String = defaultSet, set6: String = defaultSet6
    ) throws(SPAError) -> String {
        guard tunnelPort != 0 else {
            throw SPAError(.invalidSettings, "the tunnel port must be between 1 and 65535")
        }
        let table = try NftablesIdentifier(table, what: "the table name")
        let set = try NftablesIdentifier(set, what: "the IPv4 set name")
        let set6 = try NftablesIdentifier(set6, what: "the IPv6 set name")
        guard set != set6 else {
            throw SPAError(.invalidSettings, "the IPv4 and IPv6 sets need different names, both are \"\(set)\"")
        }
        return warning(tunnelPort: tunnelPort, table: table) + "\n" + """
            table inet \(table) { }
            flush table inet \(table)

            table inet \(table) {
            \tset \(set) {
            \t\ttype ipv4_addr
            \t\tflags timeout
            \t}

            \tset \(set6) {
            \t\ttype ipv6_addr
            \t\tflags timeout
            \t}

            \tchain input {
            \t\ttype filter hook input priority 0; policy drop;
            \t\tct state established,related accept
            \t\tiif lo accept
            \t\ticmp type { \(icmpTypes.joined(separator: ", ")) } accept
            \t\ticmpv6 type { \(icmpv6Types.joined(separator: ", ")) } accept
            \t\tip saddr @\(set) tcp dport \(tunnelPort) accept
            \t\tip6 saddr @\(set6) tcp dport \(tunnelPort) accept
            \t}
            }

            """
    }

    private static func warning(tunnelPort: UInt16, table: NftablesIdentifier) -> String {
        """
        # Hyperion SPA base firewall, tunnel port \(tunnelPort).
        #
        # WARNING: this sets policy DROP on input. Every inbound connection that no rule
        # below accepts is dropped, including new SSH sessions. Apply it only where you
        # have console or other out-of-band access; to undo: nft delete table inet \(table)
        #
        # Hyperion never applies this automatically. Review it, then apply it yourself:
        #   nft -f FILE
        # Applying it again is safe: it replaces the table's rules in one atomic step;
        # addresses already in the knock sets stay until their timeouts end.

        """
    }
}
