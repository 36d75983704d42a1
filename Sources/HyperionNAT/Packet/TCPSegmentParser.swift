/// Reads the IP and TCP headers of a packet as the TUN hands it over, deciding only whether
/// it is TCP the translator can handle at all. Every length is checked against the bytes
/// actually given before it is used, so a truncated or lying packet is a `SkipReason`,
/// never a read past the buffer.
enum TCPSegmentParser {
    enum Outcome {
        case segment(TCPSegment)
        case skip(SkipReason)
    }

    static func parse(_ packet: UnsafeRawBufferPointer) -> Outcome {
        guard let first = packet.first else { return .skip(.truncated) }
        switch first >> 4 {
        case 4: return parseIPv4(packet)
        case 6: return parseIPv6(packet)
        default: return .skip(.unknownVersion)
        }
    }

    private static func parseIPv4(_ packet: UnsafeRawBufferPointer) -> Outcome {
        guard packet.count >= PacketLayout.ipv4MinimumHeader else { return .skip(.truncated) }
        let headerLength = Int(packet[0] & 0x0F) * 4
        guard headerLength >= PacketLayout.ipv4MinimumHeader, headerLength <= packet.count else {
            return .skip(.badHeaderLength)
        }
        guard Int(packet.u16(at: 2)) == packet.count else { return .skip(.lengthMismatch) }
        // MF flag or a non-zero offset; DF (0x4000) is fine.
        guard packet.u16(at: 6) & 0x3FFF == 0 else { return .skip(.fragment) }
        switch packet[9] {
        case PacketLayout.protocolTCP: break
        case PacketLayout.protocolUDP: return .skip(.udp)
        case PacketLayout.protocolICMP: return .skip(.icmp)
        default: return .skip(.otherProtocol)
        }
        let source = NATAddress(high: 0, low: UInt64(packet.u32(at: 12)))
        let destination = NATAddress(high: 0, low: UInt64(packet.u32(at: 16)))
        return parseTCP(packet, family: .v4, at: headerLength, source: source, destination: destination)
    }

    private static func parseIPv6(_ packet: UnsafeRawBufferPointer) -> Outcome {
        guard packet.count >= PacketLayout.ipv6Header else { return .skip(.truncated) }
        // A payload length of 0 (a jumbogram) cannot match either, and is refused with it.
        guard PacketLayout.ipv6Header + Int(packet.u16(at: 4)) == packet.count else {
            return .skip(.lengthMismatch)
        }
        switch packet[6] {
        case PacketLayout.protocolTCP: break
        case PacketLayout.protocolUDP: return .skip(.udp)
        case PacketLayout.protocolICMPv6:
            // Types 133–137: router and neighbour solicitation/advertisement, redirect.
            if packet.count > PacketLayout.ipv6Header, (133...137).contains(packet[PacketLayout.ipv6Header]) {
                return .skip(.neighbourDiscovery)
            }
            return .skip(.icmp)
        // Hop-by-hop, routing, fragment, ESP, AH, destination options, mobility, HIP, shim6,
        // experimental: a chain the translator does not walk.
        case 0, 43, 44, 50, 51, 60, 135, 139, 140, 253, 254: return .skip(.extensionHeader)
        default: return .skip(.otherProtocol)
        }
        let source = NATAddress(high: packet.u64(at: 8), low: packet.u64(at: 16))
        let destination = NATAddress(high: packet.u64(at: 24), low: packet.u64(at: 32))
        return parseTCP(packet, family: .v6, at: PacketLayout.ipv6Header, source: source, destination: destination)
    }

    private static func parseTCP(
        _ packet: UnsafeRawBufferPointer, family: IPFamily, at offset: Int,
        source: NATAddress, destination: NATAddress
    ) -> Outcome {
        guard packet.count - offset >= PacketLayout.tcpMinimumHeader else { return .skip(.truncated) }
        let headerLength = Int(packet[offset + 12] >> 4) * 4
        guard headerLength >= PacketLayout.tcpMinimumHeader, offset + headerLength <= packet.count else {
            return .skip(.invalidTCPHeader)
        }
        if destination.isMulticast(family) || source.isMulticast(family) { return .skip(.multicast) }
        return .segment(TCPSegment(
            family: family,
            transportOffset: offset,
            source: source,
            destination: destination,
            sourcePort: packet.u16(at: offset),
            destinationPort: packet.u16(at: offset + 2),
            sequence: packet.u32(at: offset + 4),
            acknowledgment: packet.u32(at: offset + 8),
            flags: packet[offset + 13],
            payloadLength: packet.count - offset - headerLength
        ))
    }
}

extension UnsafeRawBufferPointer {
    /// Big-endian reads at any alignment; callers have checked the bounds.
    func u16(at offset: Int) -> UInt16 { UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }
    func u32(at offset: Int) -> UInt32 { UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
    func u64(at offset: Int) -> UInt64 { UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
}
