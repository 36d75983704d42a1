/// The packets the translator writes on its own: a RST for a flow it will not carry, and an
/// ICMP unreachable when no tunnel can reach the destination. Both claim to come from the
/// destination the app dialled, so the app's kernel fails its `connect()` at once
/// (ECONNREFUSED, EHOSTUNREACH) instead of retrying the SYN until it times out.
enum ForgedPacket {
    static let hopLimit: UInt8 = 64
    /// RFC 4443 2.4(c): an ICMPv6 error must not make a packet beyond the minimum MTU.
    static let ipv6MinimumMTU = 1280

    /// A 20-byte TCP header without options or payload, window 0.
    static func tcp(
        _ family: IPFamily, from source: NATEndpoint, to destination: NATEndpoint,
        sequence: UInt32, acknowledgment: UInt32, flags: UInt8
    ) -> [UInt8] {
        var packet = ipHeader(family, from: source.address, to: destination.address,
                              protocolNumber: PacketLayout.protocolTCP, payloadLength: PacketLayout.tcpMinimumHeader)
        let tcp = packet.count
        packet += [UInt8](repeating: 0, count: PacketLayout.tcpMinimumHeader)
        packet.withUnsafeMutableBytes { bytes in
            bytes.setU16(source.port, at: tcp)
            bytes.setU16(destination.port, at: tcp + 2)
            bytes.setU32(sequence, at: tcp + 4)
            bytes.setU32(acknowledgment, at: tcp + 8)
            bytes[tcp + 12] = UInt8(PacketLayout.tcpMinimumHeader / 4) << 4
            bytes[tcp + 13] = flags
            SegmentRewriter.fillChecksums(bytes, family: family, transportOffset: tcp,
                                          protocolNumber: PacketLayout.protocolTCP,
                                          checksumOffset: PacketLayout.tcpChecksumOffset, pseudoHeader: true)
        }
        return packet
    }

    /// ICMP host unreachable (type 3 code 1) or ICMPv6 address unreachable (type 1 code 3)
    /// from `source` to `destination`, quoting `original`: its IPv4 header and first 8
    /// transport bytes (RFC 792), or as much as fits in 1280 bytes for IPv6 (RFC 4443).
    static func unreachable(
        _ family: IPFamily, from source: NATAddress, to destination: NATAddress, quoting original: [UInt8]
    ) -> [UInt8] {
        let quote: ArraySlice<UInt8>
        let type: UInt8, code: UInt8, protocolNumber: UInt8
        switch family {
        case .v4:
            let headerLength = Int(original[0] & 0x0F) * 4
            quote = original.prefix(headerLength + 8)
            (type, code, protocolNumber) = (3, 1, PacketLayout.protocolICMP)
        case .v6:
            quote = original.prefix(ipv6MinimumMTU - PacketLayout.ipv6Header - 8)
            (type, code, protocolNumber) = (1, 3, PacketLayout.protocolICMPv6)
        }
        var packet = ipHeader(family, from: source, to: destination,
                              protocolNumber: protocolNumber, payloadLength: 8 + quote.count)
        let icmp = packet.count
        packet += [type, code, 0, 0, 0, 0, 0, 0]
        packet += quote
        packet.withUnsafeMutableBytes { bytes in
            SegmentRewriter.fillChecksums(bytes, family: family, transportOffset: icmp,
                                          protocolNumber: protocolNumber, checksumOffset: 2,
                                          pseudoHeader: family == .v6)
        }
        return packet
    }

    /// An IPv4 header (no options, DF, id 0) or an IPv6 header (no flow label); the IPv4
    /// checksum is filled in later with the transport's.
    private static func ipHeader(
        _ family: IPFamily, from source: NATAddress, to destination: NATAddress,
        protocolNumber: UInt8, payloadLength: Int
    ) -> [UInt8] {
        let headerLength = family == .v4 ? PacketLayout.ipv4MinimumHeader : PacketLayout.ipv6Header
        var header = [UInt8](repeating: 0, count: headerLength)
        header.withUnsafeMutableBytes { bytes in
            switch family {
            case .v4:
                bytes[0] = 0x45
                bytes.setU16(UInt16(headerLength + payloadLength), at: 2)
                bytes.setU16(0x4000, at: 6)
                bytes[8] = hopLimit
                bytes[9] = protocolNumber
            case .v6:
                bytes[0] = 0x60
                bytes.setU16(UInt16(payloadLength), at: 4)
                bytes[6] = protocolNumber
                bytes[7] = hopLimit
            }
            bytes.setAddress(source, family, at: PacketLayout.sourceOffset(family))
            bytes.setAddress(destination, family, at: PacketLayout.destinationOffset(family))
        }
        return header
    }
}
