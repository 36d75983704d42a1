/// Managed mode's stable fake addresses: a server added with `add-server` gets the lowest
/// free host number from 10 up in the TUN's IPv4 subnet, and the same host number in its
/// IPv6 /64, so `10.99.0.10` goes with `fd68:7970::a`. The first nine numbers stay free
/// for the device itself, its virtual peer and whatever an admin assigns by hand.
///
/// The addresses are written into the server's `[[server]]` table, so a server keeps its
/// address for as long as it stays configured, whatever is added or removed around it.
public enum FakeAddressAllocator {
    public static let firstHostNumber = 10

    /// The next free pair for `config`, or nil when the IPv4 subnet is full.
    public static func next(for config: ClientConfig) -> (v4: IPAddress, v6: IPAddress)? {
        let tun = config.tun
        let taken = Set(config.servers.flatMap { [$0.fakeAddress, $0.fakeAddress6].compactMap { $0 } })
        let reserved: Set<IPAddress> = [tun.address, tun.peerAddress, tun.address6, tun.peerAddress6]
        let hostCount = 1 << (32 - tun.prefix)
        // The last number is the IPv4 broadcast address.
        for number in firstHostNumber..<(hostCount - 1) {
            let v4 = tun.subnet.first.adding(number)
            let v6 = tun.subnet6.first.adding(number)
            if taken.contains(v4) || taken.contains(v6) || reserved.contains(v4) || reserved.contains(v6) { continue }
            return (v4, v6)
        }
        return nil
    }
}

extension IPAddress {
    /// This address plus `offset`, carried across bytes (no wrap check: callers stay inside
    /// a subnet they sized).
    func adding(_ offset: Int) -> IPAddress {
        var bytes = self.bytes
        var carry = offset
        for index in bytes.indices.reversed() where carry > 0 {
            let sum = Int(bytes[index]) + carry
            bytes[index] = UInt8(sum & 0xFF)
            carry = sum >> 8
        }
        return IPAddress(bytes: bytes)!
    }
}
