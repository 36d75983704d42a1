/// The two IP versions the translator serves. Each has its own tun address, virtual peer,
/// listener port and NAT port space, so a flow is named by family and port together.
public enum IPFamily: UInt8, Hashable, Sendable, CaseIterable {
    case v4 = 4
    case v6 = 6

    /// Bytes in one address of this family.
    public var addressLength: Int { self == .v4 ? 4 : 16 }
}

/// An IPv4 or IPv6 address as a fixed-size value: the table keys on it per packet, and an
/// `[UInt8]` there would be an allocation and a pointer chase per lookup.
///
/// IPv6 fills both halves in network order (`high` holds bytes 0–7). IPv4 sits in the low 32
/// bits of `low` with `high` zero; the family is known from context (the table it is in), so
/// it is not stored here. Zero words add nothing to a one's complement sum, so checksum code
/// can sum all eight 16-bit words of either family without asking which it is.
public struct NATAddress: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// 4 bytes make an IPv4 address, 16 an IPv6 one; any other count is nil.
    public init?(bytes: some Collection<UInt8>) {
        let bytes = Array(bytes)
        switch bytes.count {
        case 4:
            self.init(high: 0, low: UInt64(Self.bigEndian(bytes[0..<4])))
        case 16:
            self.init(high: Self.bigEndian(bytes[0..<8]), low: Self.bigEndian(bytes[8..<16]))
        default:
            return nil
        }
    }

    /// The address in network order, 4 or 16 bytes depending on `family`.
    public func bytes(_ family: IPFamily) -> [UInt8] {
        switch family {
        case .v4:
            return (0..<4).map { UInt8(truncatingIfNeeded: low >> (24 - 8 * $0)) }
        case .v6:
            return (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
                + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        }
    }

    /// Multicast (IPv4 224/4 and the limited broadcast, IPv6 ff00::/8): never a TCP peer.
    func isMulticast(_ family: IPFamily) -> Bool {
        switch family {
        case .v4: return low >> 28 == 0xE || low == 0xFFFF_FFFF
        case .v6: return high >> 56 == 0xFF
        }
    }

    private static func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// An address and a TCP port: one end of a flow as the app sees it.
public struct NATEndpoint: Hashable, Sendable {
    public var address: NATAddress
    public var port: UInt16

    public init(address: NATAddress, port: UInt16) {
        self.address = address
        self.port = port
    }
}
