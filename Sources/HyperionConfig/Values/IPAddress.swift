#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, parsed and printed by the C library (`inet_pton`/`inet_ntop`),
/// so it accepts exactly what the socket calls will: dotted quads without leading zeros,
/// and the RFC 4291 text forms of IPv6. Zone ids (`%eth0`) are not accepted.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public enum Family: Hashable, Sendable { case v4, v6 }

    /// 4 bytes for IPv4, 16 for IPv6, in network order.
    public let bytes: [UInt8]

    public var family: Family { bytes.count == 4 ? .v4 : .v6 }

    /// `0.0.0.0` or `::`: listening on it covers every address of its family.
    public var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }

    /// Parses the text form of an IPv4 or IPv6 address (without brackets).
    public init?(_ text: String) {
        if let bytes = Self.presentationToNetwork(text, family: AF_INET, count: 4) {
            self.bytes = bytes
        } else if let bytes = Self.presentationToNetwork(text, family: AF_INET6, count: 16) {
            self.bytes = bytes
        } else {
            return nil
        }
    }

    /// 4 or 16 bytes in network order; nil for any other count.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// The address `offset` after this one, wrapping within the family's space.
    public func advanced(by offset: UInt8) -> IPAddress {
        var bytes = self.bytes
        var carry = UInt16(offset)
        for index in bytes.indices.reversed() where carry > 0 {
            let sum = UInt16(bytes[index]) + carry
            bytes[index] = UInt8(truncatingIfNeeded: sum)
            carry = sum >> 8
        }
        return IPAddress(bytes: bytes)!
    }

    /// 127.0.0.0/8 or ::1.
    public var isLoopback: Bool {
        family == .v4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    public static let loopbackV4 = IPAddress("127.0.0.1")!

    /// The canonical text form (`::1`, not `0:0:0:0:0:0:0:1`), without brackets.
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = self.family == .v4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { source in
            buffer.withUnsafeMutableBufferPointer { inet_ntop(family, source.baseAddress, $0.baseAddress, socklen_t($0.count)) }
        } != nil
        guard ok else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func presentationToNetwork(_ text: String, family: Int32, count: Int) -> [UInt8]? {
        guard !text.utf8.contains(0) else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        let result = bytes.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) }
        return result == 1 ? bytes : nil
    }
}
