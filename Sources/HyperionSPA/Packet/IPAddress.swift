/// The source address of a captured knock: 4 bytes (IPv4) or 16 bytes (IPv6).
///
/// Its canonical text is the only form that ever reaches an `nft` argument, so it is built
/// here from bytes (RFC 5952 for IPv6) and can only contain `0-9 a-f . :` — never a name
/// that nft would try to resolve, never anything a parser could read as syntax.
public struct IPAddress: Hashable, Sendable {
    public enum Family: Hashable, Sendable {
        case v4
        case v6
    }

    /// The first 8 and last 8 bytes, big-endian; an IPv4 address lives in `low`'s low 32
    /// bits. Two integers instead of an array: no allocation per captured frame.
    private let high: UInt64
    private let low: UInt64
    public let family: Family

    init(high: UInt64, low: UInt64, family: Family) {
        self.high = high
        self.low = low
        self.family = family
    }

    /// Four bytes in network order.
    public init(v4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        high = 0
        low = UInt64(a) << 24 | UInt64(b) << 16 | UInt64(c) << 8 | UInt64(d)
        family = .v4
    }

    /// 4 or 16 bytes in network order; nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        switch bytes.count {
        case 4:
            high = 0
            low = bytes.reduce(0) { $0 << 8 | UInt64($1) }
            family = .v4
        case 16:
            let all = Array(bytes)
            high = all[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
            low = all[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
            family = .v6
        default:
            return nil
        }
    }

    /// The address bytes in network order.
    public var bytes: [UInt8] {
        switch family {
        case .v4:
            return (0..<4).map { UInt8(truncatingIfNeeded: low >> (24 - 8 * $0)) }
        case .v6:
            let head = (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            return head + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        }
    }

    /// The eight 16-bit groups of an IPv6 address.
    var groups: [UInt16] {
        (0..<4).map { UInt16(truncatingIfNeeded: high >> (48 - 16 * $0)) }
            + (0..<4).map { UInt16(truncatingIfNeeded: low >> (48 - 16 * $0)) }
    }

    /// False for sources no real peer can knock from: the unspecified address, multicast,
    /// the IPv4 limited broadcast. Opening the tunnel port to those would be meaningless.
    public var isUsableSource: Bool {
        switch family {
        case .v4:
            let first = low >> 24
            return low != 0 && !(224...239).contains(first) && low != 0xFFFF_FFFF
        case .v6:
            return !(high == 0 && low == 0) && high >> 56 != 0xFF
        }
    }
}
