#if os(Linux)
/// The length an IP packet's own header declares, to catch a read that lost bytes: a TUN
/// read into a too-small buffer truncates silently (TUN-NOTES), and nothing else says so.
enum IPPacketLength {
    /// IPv4: the total length; IPv6: 40 plus the payload length. Nil when the bytes are too
    /// few to hold the header or the version is neither 4 nor 6.
    static func declared(in packet: UnsafeRawBufferPointer) -> Int? {
        guard let first = packet.first else { return nil }
        switch first >> 4 {
        case 4:
            guard packet.count >= 20 else { return nil }
            return Int(packet[2]) << 8 | Int(packet[3])
        case 6:
            guard packet.count >= 40 else { return nil }
            return 40 + (Int(packet[4]) << 8 | Int(packet[5]))
        default:
            return nil
        }
    }

    /// Whether `packet` is exactly as long as its header says.
    static func isComplete(_ packet: UnsafeRawBufferPointer) -> Bool {
        declared(in: packet) == packet.count
    }
}
#endif
