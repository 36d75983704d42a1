import HyperionNAT

/// Builds IPv4/IPv6 + TCP packets the way an app's kernel would hand them to the TUN, with
/// checksums from `ReferenceChecksum`: complete, or the pseudo-header sum only (NEEDS_CSUM).
struct TestPacket {
    static let fin: UInt8 = 0x01, syn: UInt8 = 0x02, rst: UInt8 = 0x04, psh: UInt8 = 0x08, ack: UInt8 = 0x10

    var source: [UInt8]
    var destination: [UInt8]
    var sourcePort: UInt16
    var destinationPort: UInt16
    var sequence: UInt32 = 0x1122_3344
    var acknowledgment: UInt32 = 0
    var flags: UInt8 = TestPacket.syn
    var window: UInt16 = 64240
    /// TCP options (MSS, SACK permitted, timestamps, window scale), padded with zeros to a multiple of 4.
    var options: [UInt8] = [2, 4, 0x05, 0xB4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7]
    var payload: [UInt8] = []
    var ipv4Options: [UInt8] = []
    /// DF by default; MF is 0x2000, the offset the low 13 bits.
    var ipv4FlagsAndOffset: UInt16 = 0x4000
    var ipProtocol: UInt8 = 6

    var isV4: Bool { source.count == 4 }

    func bytes(partial: Bool = false) -> [UInt8] {
        var tcpOptions = options
        while tcpOptions.count % 4 != 0 { tcpOptions.append(0) }
        var tcp: [UInt8] = be16(sourcePort) + be16(destinationPort) + be32(sequence) + be32(acknowledgment)
        tcp += [UInt8((20 + tcpOptions.count) / 4) << 4, flags] + be16(window) + [0, 0, 0, 0]
        tcp += tcpOptions + payload
        var packet: [UInt8]
        if isV4 {
            var ipOptions = ipv4Options
            while ipOptions.count % 4 != 0 { ipOptions.append(0) }
            let headerLength = 20 + ipOptions.count
            packet = [0x40 | UInt8(headerLength / 4), 0] + be16(UInt16(headerLength + tcp.count)) + be16(0x1234)
            packet += be16(ipv4FlagsAndOffset) + [64, ipProtocol, 0, 0] + source + destination + ipOptions
        } else {
            packet = [0x60, 0, 0, 0] + be16(UInt16(tcp.count)) + [ipProtocol, 64] + source + destination
        }
        packet += tcp
        if isV4 { packet.replace(at: 10, with: ReferenceChecksum.ipv4Header(packet)) }
        let tcpChecksum = partial ? ReferenceChecksum.pseudoHeader(packet) : ReferenceChecksum.transport(packet)
        packet.replace(at: ReferenceChecksum.headerLength(packet) + 16, with: tcpChecksum)
        return packet
    }
}

func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
func be32(_ value: UInt32) -> [UInt8] { be16(UInt16(value >> 16)) + be16(UInt16(value & 0xFFFF)) }

extension Array where Element == UInt8 {
    mutating func replace(at offset: Int, with value: UInt16) {
        self[offset] = UInt8(value >> 8)
        self[offset + 1] = UInt8(value & 0xFF)
    }
}

/// The fields of a packet the translator produced, read independently of the module.
struct PacketFields {
    let packet: [UInt8]
    var isV4: Bool { packet[0] >> 4 == 4 }
    var headerLength: Int { ReferenceChecksum.headerLength(packet) }
    var source: [UInt8] { isV4 ? Array(packet[12..<16]) : Array(packet[8..<24]) }
    var destination: [UInt8] { isV4 ? Array(packet[16..<20]) : Array(packet[24..<40]) }
    var ipProtocol: UInt8 { isV4 ? packet[9] : packet[6] }
    var sourcePort: UInt16 { ReferenceChecksum.field(packet, headerLength) }
    var destinationPort: UInt16 { ReferenceChecksum.field(packet, headerLength + 2) }
    var sequence: UInt32 { UInt32(sourcePortWord(4)) << 16 | UInt32(sourcePortWord(6)) }
    var acknowledgment: UInt32 { UInt32(sourcePortWord(8)) << 16 | UInt32(sourcePortWord(10)) }
    var flags: UInt8 { packet[headerLength + 13] }
    var transport: ArraySlice<UInt8> { packet[headerLength...] }
    var declaredLength: Int {
        isV4 ? Int(ReferenceChecksum.field(packet, 2)) : 40 + Int(ReferenceChecksum.field(packet, 4))
    }

    private func sourcePortWord(_ offset: Int) -> UInt16 { ReferenceChecksum.field(packet, headerLength + offset) }

    init(_ packet: [UInt8]) { self.packet = packet }
}
