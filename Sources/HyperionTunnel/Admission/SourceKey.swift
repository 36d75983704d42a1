import NIOCore

/// Whom per-source limits count against: an IPv4 address, or the /64 of an IPv6 address.
///
/// An IPv6 host is usually given a whole /64, so counting single IPv6 addresses would give
/// one attacker 2^64 sources. IPv4-mapped IPv6 addresses (a dual-stack listener's view of
/// an IPv4 peer) count as the IPv4 address they carry.
enum SourceKey: Hashable, Sendable, CustomStringConvertible {
    case ipv4(UInt32)
    case ipv6Prefix64(UInt64)
    /// No IP address (a Unix socket, or an address the channel no longer knows).
    case other

    init(_ address: SocketAddress?) {
        switch address {
        case let .v4(v4):
            self = .ipv4(UInt32(bigEndian: v4.address.sin_addr.s_addr))
        case let .v6(v6):
            var raw = v6.address.sin6_addr
            let bytes = withUnsafeBytes(of: &raw) { Array($0) }
            self.init(ipv6: bytes)
        default:
            self = .other
        }
    }

    /// From the 16 bytes of an IPv6 address, in network order.
    init(ipv6 bytes: [UInt8]) {
        precondition(bytes.count == 16)
        let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
        if Array(bytes.prefix(12)) == mappedPrefix {
            self = .ipv4(bytes[12...].reduce(0) { $0 << 8 | UInt32($1) })
        } else {
            self = .ipv6Prefix64(bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) })
        }
    }

    var description: String {
        switch self {
        case let .ipv4(address):
            return (0..<4).map { String(address >> (24 - 8 * $0) & 0xFF) }.joined(separator: ".")
        case let .ipv6Prefix64(prefix):
            let groups = (0..<4).map { String(prefix >> (48 - 16 * $0) & 0xFFFF, radix: 16) }
            return groups.joined(separator: ":") + "::/64"
        case .other:
            return "(no IP address)"
        }
    }
}
