/// The `sh` script of `hyperion-client print-routes`: for each server address, a route in a
/// table of its own and a rule sending traffic to that address there, unless it carries the
/// tunnel's mark. The tunnel's own sockets are marked, so they keep the normal route even
/// when a server's tunnel address is the very address being routed into the TUN.
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
        for (server, ips) in addresses {
            lines.append("# \(server)")
            for ip in ips {
                // This host's own addresses are answered by the local table before any rule
                // of ours; a route for them would never be used.
                guard !ip.isLoopback else {
                    lines.append("# \(ip) is this host's loopback: not routed")
                    continue
                }
                lines += down ? remove(ip) : add(ip)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func rule(_ verb: String, _ ip: IPAddress) -> String {
        "ip \(family(ip)) rule \(verb) to \(host(ip)) not fwmark \(hex(mark)) lookup \(table)"
    }

    private func add(_ ip: IPAddress) -> [String] {
        [
            "ip \(family(ip)) route replace \(host(ip)) dev \(device) table \(table)",
            "while \(rule("del", ip)) 2>/dev/null; do :; done",
            rule("add", ip),
        ]
    }

    private func remove(_ ip: IPAddress) -> [String] {
        [
            "while \(rule("del", ip)) 2>/dev/null; do :; done",
            "ip \(family(ip)) route del \(host(ip)) dev \(device) table \(table) 2>/dev/null || true",
        ]
    }

    private func family(_ ip: IPAddress) -> String { ip.family == .v4 ? "-4" : "-6" }
    private func host(_ ip: IPAddress) -> String { ip.family == .v4 ? "\(ip)/32" : "\(ip)/128" }
    private func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
}
