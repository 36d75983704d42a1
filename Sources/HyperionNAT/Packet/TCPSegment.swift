/// Where things are in one IPv4 or IPv6 packet that carries TCP, and the header fields the
/// translator decides on. Reading it copies no bytes; the packet stays where the caller has it.
struct TCPSegment {
    static let flagFIN: UInt8 = 0x01
    static let flagSYN: UInt8 = 0x02
    static let flagRST: UInt8 = 0x04
    static let flagACK: UInt8 = 0x10

    var family: IPFamily
    /// Offset of the TCP header, which is also the IP header's length.
    var transportOffset: Int
    var source: NATAddress
    var destination: NATAddress
    var sourcePort: UInt16
    var destinationPort: UInt16
    var sequence: UInt32
    var acknowledgment: UInt32
    var flags: UInt8
    /// Bytes after the TCP header (for a GSO super-packet, all its segments' payload).
    var payloadLength: Int

    func has(_ flag: UInt8) -> Bool { flags & flag != 0 }

    /// SYN alone (no ACK, RST or FIN): only this opens a flow.
    var isPureSYN: Bool { flags & (Self.flagSYN | Self.flagACK | Self.flagRST | Self.flagFIN) == Self.flagSYN }

    /// Sequence space the segment occupies: payload, plus one each for SYN and FIN.
    var sequenceLength: UInt32 {
        UInt32(truncatingIfNeeded: payloadLength) &+ (has(Self.flagSYN) ? 1 : 0) &+ (has(Self.flagFIN) ? 1 : 0)
    }
}

/// Byte offsets of the fields that the translator reads or rewrites.
enum PacketLayout {
    static let ipv4MinimumHeader = 20
    static let ipv6Header = 40
    static let tcpMinimumHeader = 20
    static let ipv4ChecksumOffset = 10
    static let tcpChecksumOffset = 16
    static let protocolTCP: UInt8 = 6
    static let protocolUDP: UInt8 = 17
    static let protocolICMP: UInt8 = 1
    static let protocolICMPv6: UInt8 = 58

    static func sourceOffset(_ family: IPFamily) -> Int { family == .v4 ? 12 : 8 }
    static func destinationOffset(_ family: IPFamily) -> Int { family == .v4 ? 16 : 24 }
}
