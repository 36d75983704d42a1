/// Hand-built and parsed IPv4/IPv6 UDP packets for the loop tests, with full checksums.
struct UDPPacket: Equatable {
    var source: [UInt8]
    var destination: [UInt8]
    var sourcePort: UInt16
    var destinationPort: UInt16
    var payload: [UInt8]

    /// The whole IP packet: IPv4 with a header checksum, or IPv6; UDP checksum complete.
    var bytes: [UInt8] {
        let udpLength = 8 + payload.count
        var udp = Self.be16(sourcePort) + Self.be16(destinationPort) + Self.be16(UInt16(udpLength)) + [0, 0] + payload
        let pseudo: [UInt8]
        if source.count == 16 {
            pseudo = source + destination + [0, 0] + Self.be16(UInt16(udpLength)) + [0, 0, 0, 17]
        } else {
            pseudo = source + destination + [0, 17] + Self.be16(UInt16(udpLength))
        }
        var checksum = Self.checksum(pseudo + udp)
        if checksum == 0 { checksum = 0xFFFF }
        udp[6] = UInt8(checksum >> 8)
        udp[7] = UInt8(checksum & 0xFF)
        if source.count == 16 {
            return [0x60, 0, 0, 0] + Self.be16(UInt16(udpLength)) + [17, 64] + source + destination + udp
        }
        var header: [UInt8] = [0x45, 0] + Self.be16(UInt16(20 + udpLength)) + [0x12, 0x34, 0x40, 0, 64, 17, 0, 0] + source + destination
        let headerChecksum = Self.checksum(header)
        header[10] = UInt8(headerChecksum >> 8)
        header[11] = UInt8(headerChecksum & 0xFF)
        return header + udp
    }

    /// Parses an IPv4 (no options needed) or IPv6 (no extension headers) UDP packet.
    init?(parsing packet: [UInt8]) {
        guard let first = packet.first else { return nil }
        let headerLength: Int
        if first >> 4 == 4 {
            headerLength = Int(first & 0x0F) * 4
            guard packet.count >= headerLength + 8, packet[9] == 17 else { return nil }
            source = Array(packet[12..<16])
            destination = Array(packet[16..<20])
        } else if first >> 4 == 6 {
            headerLength = 40
            guard packet.count >= 48, packet[6] == 17 else { return nil }
            source = Array(packet[8..<24])
            destination = Array(packet[24..<40])
        } else {
            return nil
        }
        sourcePort = UInt16(packet[headerLength]) << 8 | UInt16(packet[headerLength + 1])
        destinationPort = UInt16(packet[headerLength + 2]) << 8 | UInt16(packet[headerLength + 3])
        payload = Array(packet[(headerLength + 8)...])
    }

    init(source: [UInt8], destination: [UInt8], sourcePort: UInt16, destinationPort: UInt16, payload: [UInt8]) {
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.payload = payload
    }

    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    /// The Internet checksum (RFC 1071) of `bytes`.
    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
