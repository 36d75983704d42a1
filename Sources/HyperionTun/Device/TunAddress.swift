#if os(Linux)
import Glibc

/// An IPv4 or IPv6 address with the prefix length that makes its subnet on-link on the TUN.
public struct TunAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 bytes (IPv6), network order.
    public let bytes: [UInt8]
    public let prefixLength: Int

    /// Nil unless `bytes` has 4 or 16 bytes and `prefixLength` fits the family.
    public init?(bytes: [UInt8], prefixLength: Int) {
        guard bytes.count == 4 || bytes.count == 16, (0...bytes.count * 8).contains(prefixLength) else { return nil }
        self.bytes = bytes
        self.prefixLength = prefixLength
    }

    /// Parses "10.99.0.1" or "fd00:99::1" (inet_pton); nil when it is neither.
    public init?(_ text: String, prefixLength: Int) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v4) { Array($0) }, prefixLength: prefixLength)
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v6) { Array($0) }, prefixLength: prefixLength)
            return
        }
        return nil
    }

    public var isIPv6: Bool { bytes.count == 16 }

    /// "10.99.0.1/24", "fd00:99::1/64".
    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = isIPv6 ? AF_INET6 : AF_INET
        _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) }
        let address = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(address)/\(prefixLength)"
    }
}
#endif
