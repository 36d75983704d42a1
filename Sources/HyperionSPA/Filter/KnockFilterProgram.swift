/// The classic BPF program attached to the sniffer's packet socket: it passes only UDP
/// datagrams to the knock port, so the kernel drops everything else before a copy reaches
/// user space. The sniffer still parses and checks every frame it gets; the filter saves
/// work, it is not what makes the gate safe.
///
/// It reads Ethernet frames as SOCK_RAW delivers them:
/// - IPv4 (ethertype 0x0800): protocol UDP, not a fragment (MF clear, offset 0), and the UDP
///   destination port read after the header length the IHL nibble gives
///   (`ldxb 4*([14]&0xf)`), so IPv4 options are handled.
/// - IPv6 (ethertype 0x86DD): next header UDP right after the fixed 40-byte header; knocks
///   never carry extension headers, and `CapturedPacketParser` refuses them too.
///
/// 802.1Q: not matched. On receive the kernel moves the VLAN tag out of the frame into
/// metadata before packet taps run, so a knock over a VLAN reaches this filter untagged and
/// passes. The parser still accepts one tag, for a driver or path that leaves it in place.
public enum KnockFilterProgram {
    static let etherTypeOffset: UInt32 = 12
    static let ethernetHeaderLength: UInt32 = 14
    /// "Deliver the whole frame": the kernel caps it at the frame's length.
    static let wholeFrame = UInt32.max

    public static func instructions(knockPort: UInt16) -> [BPFInstruction] {
        let port = UInt32(knockPort)
        let ipv4 = ethernetHeaderLength
        let ipv6 = ethernetHeaderLength
        // Jump offsets count instructions skipped; `accept` is index 14, `drop` is 15.
        return [
            /* 0 */ .loadHalf(etherTypeOffset),
            /* 1 */ .jumpIfEqual(0x0800, true: 0, false: 7),  // IPv4 → 2, else → 9
            /* 2 */ .loadByte(ipv4 + 9),  // protocol
            /* 3 */ .jumpIfEqual(17, true: 0, false: 11),  // UDP → 4, else → drop
            /* 4 */ .loadHalf(ipv4 + 6),  // flags and fragment offset
            /* 5 */ .jumpIfAnySet(0x3FFF, true: 9, false: 0),  // MF or offset → drop
            /* 6 */ .loadIPv4HeaderLength(ipv4),
            /* 7 */ .loadHalfIndexed(ipv4 + 2),  // UDP destination port
            /* 8 */ .jumpIfEqual(port, true: 5, false: 6),  // → accept / drop
            /* 9 */ .jumpIfEqual(0x86DD, true: 0, false: 5),  // IPv6 → 10, else → drop
            /* 10 */ .loadByte(ipv6 + 6),  // next header
            /* 11 */ .jumpIfEqual(17, true: 0, false: 3),  // UDP → 12, else → drop
            /* 12 */ .loadHalf(ipv6 + 40 + 2),  // UDP destination port
            /* 13 */ .jumpIfEqual(port, true: 0, false: 1),  // → accept / drop
            /* 14 */ .returnLength(wholeFrame),
            /* 15 */ .returnLength(0),
        ]
    }
}
