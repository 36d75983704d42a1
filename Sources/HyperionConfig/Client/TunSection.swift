/// `[tun]` of `client.toml`: the TUN device of `hyperion-client tun` and its routing. Every
/// key has a default, so TUN mode works with no `[tun]` at all; the command's flags override
/// what is here.
public struct TunSection: Sendable, Hashable {
    /// `name`, default `hyperion0`: the device, 1-15 letters, digits, `.`, `_` or `-`.
    public var name = "hyperion0"
    /// `addr`, default 10.99.0.1: the device's IPv4 address; the listener sits here.
    public var address = IPAddress("10.99.0.1")!
    /// `prefix`, 8...30, default 24: the IPv4 subnet on the device, where fake addresses live.
    public var prefix = 24
    /// `addr6`, default fd68:7970::1: the device's IPv6 address, with a /64.
    public var address6 = IPAddress("fd68:7970::1")!
    /// `mtu`, 1280...65535. Nil: 65535, as on loopback: every connection through the device
    /// ends on this host, and the largest segments cost the kernel least, above all on the
    /// fast path, where no GRO merges them.
    public var mtu: Int?
    /// `mark`, default the top-level `mark`, else 0x6879: the SO_MARK of tunnel sockets,
    /// which the routing rules exempt so the tunnel never routes itself into the TUN.
    public var mark: UInt32 = Self.defaultMark
    /// `table`, 1...2^32-1 except 253-255, default 0x6879: the routing table of `print-routes`.
    public var table: UInt32 = 0x6879
    /// `idle_secs`, 0...86400, default 300: a server's pool connects on its first flow and
    /// closes after this long without one. 0 keeps it open once started.
    public var idleSeconds = 300
    /// `port_hold_secs`, 1...600, default 120: how long a NAT port stays out of use after its
    /// connection closed, so a late packet of the old connection never reaches a new one.
    public var portHoldSeconds = 120
    /// `offload`, default true: ask for checksum and segmentation offload (virtio headers);
    /// without it, or where the kernel refuses, packets are plain.
    public var offload = true
    /// `fast_path`, default true: once a connection is established, let a BPF program on the
    /// device rewrite its packets in the kernel instead of our packet thread (Linux 6.6 and
    /// CAP_BPF); where it cannot be loaded, every packet takes the TUN, as with false.
    public var fastPath = true

    /// The virtual peer (TUN-NOTES): the address after the device's own, never assigned to
    /// anything; the connections TUN mode hands to its listener come from here.
    public var peerAddress: IPAddress { address.advanced(by: 1) }
    public var peerAddress6: IPAddress { address6.advanced(by: 1) }

    public var subnet: Subnet { Subnet(base: address, prefix: prefix) }
    public var subnet6: Subnet { Subnet(base: address6, prefix: Self.prefix6) }

    public static let defaultMark: UInt32 = 0x6879
    public static let defaultMTU = 65535
    public static let prefix6 = 64

    public init() {}
}

/// Parses `[tun]`.
enum TunParser {
    static let keys = ["name", "addr", "prefix", "addr6", "mtu", "mark", "table", "idle_secs", "port_hold_secs", "offload", "fast_path"]

    static func parse(_ table: TableReader?, topLevelMark: UInt32?) throws -> TunSection {
        var tun = TunSection()
        if let mark = topLevelMark { tun.mark = mark }
        guard let table else { return tun }
        try table.rejectUnknownKeys(known: keys)
        if let name = try table.string("name") {
            guard NameRules.isInterfaceName(name) else {
                throw table.invalid("name", "is \(Quoted(name)); a device name is 1-15 letters, digits, \".\", \"_\" or \"-\"")
            }
            tun.name = name
        }
        if let text = try table.string("addr") {
            tun.address = try address(table, "addr", text, family: .v4, example: "10.99.0.1")
        }
        if let text = try table.string("addr6") {
            tun.address6 = try address(table, "addr6", text, family: .v6, example: "fd68:7970::1")
        }
        tun.prefix = try table.integer("prefix", in: 8...30) ?? tun.prefix
        tun.mtu = try table.integer("mtu", in: 1280...65535)
        if let mark = try table.integer("mark", in: 1...Int(UInt32.max)) { tun.mark = UInt32(mark) }
        if let number = try table.integer("table", in: 1...Int(UInt32.max)) {
            guard !(253...255).contains(number) else {
                throw table.invalid("table", "is \(number), one of the kernel's own tables (default, main, local); pick another, for example 26745")
            }
            tun.table = UInt32(number)
        }
        tun.idleSeconds = try table.integer("idle_secs", in: 0...86_400) ?? tun.idleSeconds
        tun.portHoldSeconds = try table.integer("port_hold_secs", in: 1...600) ?? tun.portHoldSeconds
        tun.offload = try table.bool("offload") ?? tun.offload
        tun.fastPath = try table.bool("fast_path") ?? tun.fastPath
        let subnet = tun.subnet
        guard tun.address != subnet.first, tun.peerAddress != subnet.last, subnet.contains(tun.peerAddress) else {
            throw table.invalid(
                "addr", "is \(tun.address) in \(subnet); the device needs an address with a free one after it (its virtual peer), not the subnet's first or last: write it like \"10.99.0.1\""
            )
        }
        return tun
    }

    static func address(_ table: TableReader, _ key: String, _ text: String, family: IPAddress.Family, example: String) throws -> IPAddress {
        guard let ip = IPAddress(text), ip.family == family, !ip.isUnspecified else {
            throw table.invalid(key, "is \(Quoted(text)), not an \(family == .v4 ? "IPv4" : "IPv6") address; write it like \"\(example)\"")
        }
        return ip
    }
}
