/// The `sh` script of `hyperion-client print-routes`: each server address gets a route in a
/// table of its own, and each family one rule sending everything without the tunnel's mark
/// to that table first. The table holds only the servers' addresses, so other traffic finds
/// no route there and falls through to the main table; the tunnel's own sockets are marked,
/// so they keep the normal route even to the very address being routed into the TUN.
///
/// One rule per family, not one per address: `not` in `ip rule` negates all of a rule's
/// selectors together, so `not to B fwmark M` also matched the tunnel's marked traffic to
/// every other server A, and sent it into the TUN by A's route.
///
/// Applying it twice leaves one rule and one route per address (`route replace`; a rule is
/// deleted before it is added); `--down` twice is harmless (every delete may fail).
public struct RouteScript: Sendable {
    public var device: String
    public var mark: UInt32
    public var table: UInt32

    public init(device: String, mark: UInt32, table: UInt32) {
        self.device = device
        self.mark = mark
        self.table = table
    }

    /// `addresses` pairs each server name with the addresses to route; every value is an
    /// IP literal or a name the checks of `NameRules` passed, so nothing needs quoting.
    public func render(_ addresses: [(server: String, addresses: [IPAddress])], down: Bool) -> String {
        var lines = [
            "#!/bin/sh",
            down
                ? "# Removes the routes of `hyperion-client print-routes`. Safe to run more than once."
                : "# Sends each server's address through \(device), except the tunnel's own sockets (fwmark \(hex(mark))).\n# Run it once `hyperion-client tun` has brought \(device) up. Safe to run more than once.",
        ]
        if !down { lines.append("set -e") }
        var families: [IPAddress.Family] = []
        for (server, ips) in addresses {
            lines.append("# \(server)")
            for ip in ips {
                // This host's own addresses are answered by the local table before any rule
                // of ours; a route for them would never be used.
                guard !ip.isLoopback else {
                    lines.append("# \(ip) is this host's loopback: not routed")
                    continue
                }
                if !families.contains(ip.family) { families.append(ip.family) }
                lines.append(down ? remove(ip) : add(ip))
            }
        }
        // Down removes both families' rules: the config may have lost a family since.
        if !down { lines.append("# Unmarked traffic looks in table \(table) first; what has no route there goes on to the main table") }
        for family in down ? [.v4, .v6] : families {
            lines.append("while \(rule("del", family)) 2>/dev/null; do :; done")
            if !down { lines.append(rule("add", family)) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func rule(_ verb: String, _ family: IPAddress.Family) -> String {
        "ip \(flag(family)) rule \(verb) not fwmark \(hex(mark)) lookup \(table)"
    }

    private func add(_ ip: IPAddress) -> String {
        "ip \(flag(ip.family)) route replace \(host(ip)) dev \(device) table \(table)"
    }

    private func remove(_ ip: IPAddress) -> String {
        "ip \(flag(ip.family)) route del \(host(ip)) dev \(device) table \(table) 2>/dev/null || true"
    }

    private func flag(_ family: IPAddress.Family) -> String { family == .v4 ? "-4" : "-6" }
    private func host(_ ip: IPAddress) -> String { ip.family == .v4 ? "\(ip)/32" : "\(ip)/128" }
    private func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
}
