/// A UDP datagram found in a captured frame.
public struct CapturedDatagram: Hashable, Sendable {
    public var source: IPAddress
    public var destinationPort: UInt16
    /// Where the UDP payload sits in the frame that was parsed; a range instead of a copy so
    /// the sniffer can hand the receive buffer's bytes straight to the verifier.
    public var payload: Range<Int>
}

/// Parses one frame as an AF_PACKET SOCK_RAW socket delivers it: Ethernet II with at most
/// one 802.1Q tag, then IPv4 or IPv6, then UDP. Anything else is nil.
///
/// Every offset is checked against the bytes actually present and against the lengths the
/// headers claim, so truncated or lying frames are refused rather than read past. Trailing
/// bytes after the IP packet (Ethernet padding to 60 bytes) are ignored.
///
/// Deliberately narrow: IPv4 fragments (offset != 0 or MF set) are refused — a 44-byte
/// knock is never fragmented and a reassembly buffer would be memory an attacker controls;
/// IPv6 extension headers are not walked — a knock's UDP header follows the fixed header
/// directly, and the kernel filter (`KnockFilterProgram`) passes nothing else anyway.
public enum CapturedPacketParser {
    static let ethernetHeaderLength = 14
    static let vlanTagLength = 4
    static let etherTypeIPv4: UInt16 = 0x0800
    static let etherTypeIPv6: UInt16 = 0x86DD
    static let etherTypeVLAN: UInt16 = 0x8100
    static let protocolUDP: UInt8 = 17
    static let udpHeaderLength = 8
    static let ipv6HeaderLength = 40

    public static func parse(_ frame: [UInt8]) -> CapturedDatagram? {
        frame.withUnsafeBytes { parse($0) }
    }

    /// The payload range in the result counts from the first byte of `frame`.
    public static func parse(_ frame: UnsafeRawBufferPointer) -> CapturedDatagram? {
        let reader = FrameReader(frame)
        guard var etherType = reader.u16(at: 12) else { return nil }
        var networkStart = ethernetHeaderLength
        if etherType == etherTypeVLAN {
            guard let inner = reader.u16(at: 16) else { return nil }
            etherType = inner
            networkStart += vlanTagLength
        }
        switch etherType {
        case etherTypeIPv4: return parseIPv4(reader, at: networkStart)
        case etherTypeIPv6: return parseIPv6(reader, at: networkStart)
        default: return nil
        }
    }

    private static func parseIPv4(_ reader: FrameReader, at start: Int) -> CapturedDatagram? {
        guard let versionAndLength = reader.u8(at: start), versionAndLength >> 4 == 4 else { return nil }
        let headerLength = Int(versionAndLength & 0x0F) * 4
        guard headerLength >= 20,
              let totalLength = reader.u16(at: start + 2).map(Int.init),
              totalLength >= headerLength + udpHeaderLength,
              start + totalLength <= reader.count,
              let fragment = reader.u16(at: start + 6), fragment & 0x3FFF == 0,
              reader.u8(at: start + 9) == protocolUDP,
              let source = reader.address(at: start + 12, length: 4)
        else { return nil }
        return parseUDP(reader, at: start + headerLength, end: start + totalLength, source: source)
    }

    private static func parseIPv6(_ reader: FrameReader, at start: Int) -> CapturedDatagram? {
        guard let first = reader.u8(at: start), first >> 4 == 6,
              let payloadLength = reader.u16(at: start + 4).map(Int.init),
              payloadLength >= udpHeaderLength,
              start + ipv6HeaderLength + payloadLength <= reader.count,
              reader.u8(at: start + 6) == protocolUDP,
              let source = reader.address(at: start + 8, length: 16)
        else { return nil }
        let udpStart = start + ipv6HeaderLength
        return parseUDP(reader, at: udpStart, end: udpStart + payloadLength, source: source)
    }

    /// `end` is where the IP packet ends; the UDP length must fit inside it.
    private static func parseUDP(_ reader: FrameReader, at start: Int, end: Int, source: IPAddress) -> CapturedDatagram? {
        guard let port = reader.u16(at: start + 2),
              let udpLength = reader.u16(at: start + 4).map(Int.init),
              udpLength >= udpHeaderLength, start + udpLength <= end
        else { return nil }
        return CapturedDatagram(source: source, destinationPort: port, payload: (start + udpHeaderLength)..<(start + udpLength))
    }
}

/// Bounds-checked big-endian reads; every accessor returns nil instead of reading past the end.
struct FrameReader {
    let bytes: UnsafeRawBufferPointer
    var count: Int { bytes.count }

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func u8(at offset: Int) -> UInt8? {
        offset >= 0 && offset < bytes.count ? bytes[offset] : nil
    }

    func u16(at offset: Int) -> UInt16? {
        guard offset >= 0, offset <= bytes.count - 2 else { return nil }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    func u64(at offset: Int, length: Int = 8) -> UInt64? {
        guard offset >= 0, offset <= bytes.count - length else { return nil }
        var value: UInt64 = 0
        for index in offset..<(offset + length) { value = value << 8 | UInt64(bytes[index]) }
        return value
    }

    /// An IPv4 (`length` 4) or IPv6 (`length` 16) address, read without allocating.
    func address(at offset: Int, length: Int) -> IPAddress? {
        if length == 4 {
            return u64(at: offset, length: 4).map { IPAddress(high: 0, low: $0, family: .v4) }
        }
        guard let high = u64(at: offset), let low = u64(at: offset + 8) else { return nil }
        return IPAddress(high: high, low: low, family: .v6)
    }
}
