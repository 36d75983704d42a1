import HyperionNAT

/// Checksums computed from scratch, byte by byte, the slow obvious way (RFC 1071): what
/// every rewrite of the translator is compared with. Shares no code with the module.
enum ReferenceChecksum {
    static func sum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var total: UInt32 = 0
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let high = UInt32(bytes[index])
            let low = index + 1 < bytes.endIndex ? UInt32(bytes[index + 1]) : 0
            total += high << 8 | low
            index += 2
        }
        return total
    }

    static func fold(_ value: UInt32) -> UInt16 {
        var value = value
        while value > 0xFFFF { value = (value & 0xFFFF) + (value >> 16) }
        return UInt16(value)
    }

    static func headerLength(_ packet: [UInt8]) -> Int {
        packet[0] >> 4 == 4 ? Int(packet[0] & 0x0F) * 4 : 40
    }

    static func field(_ packet: [UInt8], _ offset: Int) -> UInt16 {
        UInt16(packet[offset]) << 8 | UInt16(packet[offset + 1])
    }

    /// The IPv4 header checksum the header should carry.
    static func ipv4Header(_ packet: [UInt8]) -> UInt16 {
        var header = Array(packet[0..<headerLength(packet)])
        header[10] = 0
        header[11] = 0
        return ~fold(sum(header[...]))
    }

    /// The pseudo-header sum (folded, not complemented): what a NEEDS_CSUM packet carries in
    /// its TCP checksum field.
    static func pseudoHeader(_ packet: [UInt8], protocolNumber: UInt8 = 6) -> UInt16 {
        let isV4 = packet[0] >> 4 == 4
        let addresses = isV4 ? packet[12..<20] : packet[8..<40]
        let length = UInt32(packet.count - headerLength(packet))
        return fold(sum(addresses) + UInt32(protocolNumber) + (length >> 16) + (length & 0xFFFF))
    }

    /// The transport checksum (TCP, or ICMPv6 with `protocolNumber` 58) the packet should
    /// carry, computed with its checksum field zeroed.
    static func transport(_ packet: [UInt8], protocolNumber: UInt8 = 6, checksumOffset: Int = 16) -> UInt16 {
        var segment = Array(packet[headerLength(packet)...])
        segment[checksumOffset] = 0
        segment[checksumOffset + 1] = 0
        let pseudo = UInt32(pseudoHeader(packet, protocolNumber: protocolNumber))
        return ~fold(sum(segment[...]) + pseudo)
    }

    /// ICMPv4: no pseudo-header.
    static func icmpV4(_ packet: [UInt8]) -> UInt16 {
        var message = Array(packet[headerLength(packet)...])
        message[2] = 0
        message[3] = 0
        return ~fold(sum(message[...]))
    }

    static func storedTCP(_ packet: [UInt8]) -> UInt16 {
        field(packet, headerLength(packet) + 16)
    }
}
