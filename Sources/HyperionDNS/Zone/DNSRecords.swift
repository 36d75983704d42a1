/// The addresses one name answers with: a server's fake IPv4 address (A) and fake IPv6
/// address (AAAA), either of which may be missing.
public struct DNSRecords: Hashable, Sendable {
    /// Four bytes, network order.
    public let ipv4: [UInt8]?
    /// Sixteen bytes, network order.
    public let ipv6: [UInt8]?

    /// Traps on an address of the wrong length: the caller converts parsed addresses,
    /// so a wrong length is a bug, not input.
    public init(ipv4: [UInt8]? = nil, ipv6: [UInt8]? = nil) {
        precondition(ipv4.map { $0.count == 4 } ?? true, "an IPv4 address is 4 bytes")
        precondition(ipv6.map { $0.count == 16 } ?? true, "an IPv6 address is 16 bytes")
        self.ipv4 = ipv4
        self.ipv6 = ipv6
    }
}
