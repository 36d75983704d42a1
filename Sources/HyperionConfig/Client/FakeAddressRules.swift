/// Checks `fake_ip` and `fake_ip6` against `[tun]` and each other: each inside the TUN's
/// subnet, none the TUN's own address, its virtual peer or its subnet's first or last
/// address, and no two servers on one address.
enum FakeAddressRules {
    static func check(_ servers: [ClientConfig.Server], tun: TunSection, file: String) throws {
        let subnet4 = Subnet(base: tun.address, prefix: tun.prefix)
        let subnet6 = Subnet(base: tun.address6, prefix: TunSection.prefix6)
        let reserved4 = Set([tun.address, tun.peerAddress, subnet4.first, subnet4.last])
        let reserved6 = Set([tun.address6, tun.peerAddress6, subnet6.first])
        var owners: [IPAddress: String] = [:]
        for server in servers {
            let place = "[[server]] \(Quoted(server.name))"
            for (key, ip, subnet, reserved) in [
                ("fake_ip", server.fakeAddress, subnet4, reserved4), ("fake_ip6", server.fakeAddress6, subnet6, reserved6),
            ] {
                guard let ip else { continue }
                guard subnet.contains(ip) else {
                    throw ConfigError(.invalidValue, file: file, "\(key) in \(place) is \(ip), outside the TUN's subnet \(subnet); pick an address in it, or change [tun]")
                }
                guard !reserved.contains(ip) else {
                    throw ConfigError(.invalidValue, file: file, "\(key) in \(place) is \(ip), which the TUN itself uses (its address, its virtual peer, or the subnet's first or last address); pick another, for example the tenth address of the subnet")
                }
                if let owner = owners[ip] {
                    throw ConfigError(.duplicate, file: file, "\(key) in \(place) is \(ip), which [[server]] \(Quoted(owner)) already has; give each server its own")
                }
                owners[ip] = server.name
            }
        }
    }
}

/// An IP subnet: a base address and a prefix length.
public struct Subnet: Sendable, Hashable, CustomStringConvertible {
    public let base: IPAddress
    public let prefix: Int

    public init(base: IPAddress, prefix: Int) {
        self.base = base
        self.prefix = prefix
    }

    public func contains(_ ip: IPAddress) -> Bool {
        guard ip.family == base.family else { return false }
        return masked(ip.bytes) == masked(base.bytes)
    }

    /// The subnet's first (network) address.
    public var first: IPAddress { IPAddress(bytes: masked(base.bytes))! }

    /// The subnet's last (IPv4 broadcast) address.
    public var last: IPAddress {
        let hostBits = zip(masked(base.bytes), mask).map { $0 | ~$1 }
        return IPAddress(bytes: hostBits)!
    }

    public var description: String { "\(first)/\(prefix)" }

    private var mask: [UInt8] {
        (0..<base.bytes.count).map { index in
            let bits = min(8, max(0, prefix - index * 8))
            return bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        }
    }

    private func masked(_ bytes: [UInt8]) -> [UInt8] { zip(bytes, mask).map { $0 & $1 } }
}
