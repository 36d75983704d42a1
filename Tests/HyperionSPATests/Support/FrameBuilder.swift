import Foundation
@testable import HyperionSPA

/// Builds Ethernet frames the way an AF_PACKET SOCK_RAW socket delivers them, with knobs
/// for every field the parser and the filter look at.
struct FrameBuilder {
    var source: IPAddress = IPAddress(v4: 192, 0, 2, 7)
    var destination: IPAddress = IPAddress(v4: 192, 0, 2, 1)
    var destinationPort: UInt16 = 8443
    var payload: [UInt8] = Array(repeating: 0xAB, count: 44)
    var vlanTag: UInt16?
    var ipProtocol: UInt8 = 17
    var ipv4Options: [UInt8] = []
    var fragmentField: UInt16 = 0x4000  // DF
    var ipv6NextHeader: UInt8 = 17
    /// Zero bytes after the IP packet, as Ethernet padding adds.
    var trailer: [UInt8] = []

    static func v6(_ source: String = "2001:db8::7") -> FrameBuilder {
        var builder = FrameBuilder()
        builder.source = IPAddress(bytes: parseV6(source))!
        builder.destination = IPAddress(bytes: parseV6("2001:db8::1"))!
        return builder
    }

    var udp: [UInt8] {
        var bytes = be16(40_000) + be16(destinationPort) + be16(UInt16(8 + payload.count)) + be16(0)
        bytes += payload
        return bytes
    }

    var frame: [UInt8] {
        var bytes = [UInt8](repeating: 0x02, count: 6) + [UInt8](repeating: 0x04, count: 6)
        if let vlanTag { bytes += be16(0x8100) + be16(vlanTag) }
        switch source.family {
        case .v4:
            precondition(ipv4Options.count % 4 == 0 && ipv4Options.count <= 40)
            let headerLength = 20 + ipv4Options.count
            bytes += be16(0x0800)
            bytes += [0x40 | UInt8(headerLength / 4), 0] + be16(UInt16(headerLength + udp.count))
            bytes += be16(0x1234) + be16(fragmentField) + [64, ipProtocol] + be16(0)
            bytes += source.bytes + destination.bytes + ipv4Options
        case .v6:
            bytes += be16(0x86DD)
            bytes += [0x60, 0, 0, 0] + be16(UInt16(udp.count)) + [ipv6NextHeader, 64]
            bytes += source.bytes + destination.bytes
        }
        return bytes + udp + trailer
    }

    /// Offset of the UDP payload in `frame`.
    var payloadOffset: Int {
        14 + (vlanTag == nil ? 0 : 4) + (source.family == .v4 ? 20 + ipv4Options.count : 40) + 8
    }
}

func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

/// A small IPv6 text parser for tests (full or `::`-compressed hex groups only).
func parseV6(_ text: String) -> [UInt8] {
    let halves = text.components(separatedBy: "::")
    let head = halves[0].isEmpty ? [] : halves[0].split(separator: ":").map { UInt16($0, radix: 16)! }
    let tail = halves.count < 2 || halves[1].isEmpty ? [] : halves[1].split(separator: ":").map { UInt16($0, radix: 16)! }
    let groups = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
    return groups.flatMap(be16)
}
