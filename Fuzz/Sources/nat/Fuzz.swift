import FuzzSupport
import HyperionNAT

// The TUN mode's NAT rewriter (issue 17), driven by a script of operations decoded from the
// input: packets built from a few fuzzed fields (so that most of them parse and reach the
// flow table), raw packets (for the parser), and the caller's calls (admit, refuse,
// unreachable, accepted, closed, expire) on the flows the packets opened. After each step
// the cheap invariants are checked; a violation traps, which libFuzzer reports as a crash.

/// Addresses of the translator under test: a small port range and flow limit, so that
/// "table full" and port reuse are reached within one input.
enum Setup {
    static let tun4: [UInt8] = [10, 99, 0, 1]
    static let peer4: [UInt8] = [10, 99, 0, 2]
    static let server4: [UInt8] = [93, 184, 216, 34]
    static let tun6: [UInt8] = [0xFD, 0x99] + [UInt8](repeating: 0, count: 13) + [1]
    static let peer6: [UInt8] = [0xFD, 0x99] + [UInt8](repeating: 0, count: 13) + [2]
    static let server6: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [0x34]
    static let listenerPort: UInt16 = 7000
    static let ports: ClosedRange<UInt16> = 20000...20011

    static func translator() -> TCPAddressTranslator {
        var configuration = NATConfiguration(
            v4: FamilyAddresses(tun: tun4, peer: peer4, listenerPort: listenerPort),
            v6: FamilyAddresses(tun: tun6, peer: peer6, listenerPort: listenerPort)
        )
        configuration.ports = ports
        configuration.maximumFlows = 10
        configuration.pendingTimeout = .seconds(10)
        configuration.admittedTimeout = .seconds(5)
        configuration.closedHold = .seconds(20)
        configuration.maximumHeldSYNLength = 120
        return TCPAddressTranslator(configuration: configuration)
    }
}

/// One's complement arithmetic written out plainly (RFC 1071), sharing no code with the
/// module, to judge the checksums it leaves.
enum Check {
    static func sum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var total: UInt32 = 0
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let low = index + 1 < bytes.endIndex ? UInt32(bytes[index + 1]) : 0
            total += UInt32(bytes[index]) << 8 | low
            index += 2
        }
        return total
    }

    static func fold(_ value: UInt32) -> UInt16 {
        var value = value
        while value > 0xFFFF { value = (value & 0xFFFF) + (value >> 16) }
        return UInt16(value)
    }

    static func isV4(_ packet: [UInt8]) -> Bool { packet[0] >> 4 == 4 }
    static func headerLength(_ packet: [UInt8]) -> Int { isV4(packet) ? Int(packet[0] & 0x0F) * 4 : 40 }
    static func field(_ packet: [UInt8], _ offset: Int) -> UInt16 {
        UInt16(packet[offset]) << 8 | UInt16(packet[offset + 1])
    }

    static func declaredLength(_ packet: [UInt8]) -> Int {
        isV4(packet) ? Int(field(packet, 2)) : 40 + Int(field(packet, 4))
    }

    /// The pseudo-header sum, folded and not complemented (what NEEDS_CSUM leaves in the field).
    static func pseudoHeader(_ packet: [UInt8], protocolNumber: UInt8) -> UInt16 {
        let addresses = isV4(packet) ? packet[12..<20] : packet[8..<40]
        let length = UInt32(packet.count - headerLength(packet))
        return fold(sum(addresses) + UInt32(protocolNumber) + (length >> 16) + (length & 0xFFFF))
    }

    /// True when the IPv4 header checksum (if any) and the transport checksum verify the
    /// way a receiver checks them: everything summed, the field included, folds to 0xFFFF.
    static func verifies(_ packet: [UInt8], protocolNumber: UInt8, pseudo: Bool) -> Bool {
        let header = headerLength(packet)
        if isV4(packet), fold(sum(packet[0..<header])) != 0xFFFF { return false }
        let pseudoSum = pseudo ? UInt32(pseudoHeader(packet, protocolNumber: protocolNumber)) : 0
        return fold(sum(packet[header...]) + pseudoSum) == 0xFFFF
    }

    /// A packet the translator wrote on its own (admitted SYN, RST, ICMP error): complete
    /// checksums and a declared length equal to its size.
    static func forged(_ packet: [UInt8]) {
        precondition(packet.count >= 40, "a forged packet is too short")
        precondition(declaredLength(packet) == packet.count, "a forged packet's IP length is wrong")
        let protocolNumber = isV4(packet) ? packet[9] : packet[6]
        switch protocolNumber {
        case 6: precondition(verifies(packet, protocolNumber: 6, pseudo: true), "forged TCP checksum")
        case 1: precondition(verifies(packet, protocolNumber: 1, pseudo: false), "forged ICMP checksum")
        case 58: precondition(verifies(packet, protocolNumber: 58, pseudo: true), "forged ICMPv6 checksum")
        default: preconditionFailure("a forged packet of protocol \(protocolNumber)")
        }
    }
}

/// Builds an IPv4 or IPv6 TCP packet from fuzzed choices: addresses from the ones the
/// translator cares about (or arbitrary), ports from the live flows (or arbitrary), and now
/// and then a field that makes it something the translator must skip.
struct PacketBuilder {
    static func build(_ reader: inout FuzzReader, handles: [FlowHandle]) -> (packet: [UInt8], partial: Bool) {
        let shape = reader.u8()
        let v6 = shape & 1 != 0
        let partial = shape & 2 != 0
        let corrupt = shape & 4 != 0
        let oddProtocol = shape & 0x38 == 0x38  // 1 in 8: not TCP, or a fragment / extension header
        let tun = v6 ? Setup.tun6 : Setup.tun4
        let peer = v6 ? Setup.peer6 : Setup.peer4
        let server = v6 ? Setup.server6 : Setup.server4

        func address(_ choice: UInt8) -> [UInt8] {
            switch choice % 6 {
            case 0, 1: return tun
            case 2: return server
            case 3: return peer
            case 4: return v6 ? [0xFF, 0x02] + [UInt8](repeating: 0, count: 13) + [1] : [224, 0, 0, 1]
            default: return reader.take(v6 ? 16 : 4)
            }
        }
        func port(_ choice: UInt8) -> UInt16 {
            switch choice % 4 {
            case 0: return Setup.listenerPort
            case 1: return handles.isEmpty ? Setup.ports.lowerBound : handles[Int(reader.u8()) % handles.count].natPort
            case 2: return 443
            default: return reader.u16()
            }
        }
        let choices = reader.u8()
        let source = address(choices & 7)
        let destination = address(choices >> 3 & 7)
        let portChoices = reader.u8()
        let sourcePort = port(portChoices & 3)
        let destinationPort = port(portChoices >> 2 & 3)
        let flags = reader.u8()
        let sequence = reader.u32(), acknowledgment = reader.u32()
        let lengths = reader.u8()
        let options = reader.take(Int(lengths & 0x0F) % 11 * 4)
        let payload = reader.take(Int(lengths >> 4) * 19)

        var tcp: [UInt8] = [UInt8(sourcePort >> 8), UInt8(sourcePort & 0xFF),
                            UInt8(destinationPort >> 8), UInt8(destinationPort & 0xFF)]
        for value in [sequence, acknowledgment] {
            tcp += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }
        tcp += [UInt8((20 + options.count) / 4) << 4, flags, 0xFA, 0xF0, 0, 0, 0, 0] + options + payload

        var packet: [UInt8]
        if v6 {
            let nextHeader: UInt8 = oddProtocol ? [0, 17, 58, 43, 60][Int(reader.u8()) % 5] : 6
            packet = [0x60, 0, 0, 0, UInt8(tcp.count >> 8), UInt8(tcp.count & 0xFF), nextHeader, 64]
            packet += source + destination
        } else {
            let total = 20 + tcp.count
            var protocolNumber: UInt8 = 6
            var fragment: UInt16 = 0x4000
            if oddProtocol {
                let odd = reader.u8()
                if odd & 1 == 0 { protocolNumber = [1, 17, 47][Int(odd >> 1) % 3] } else { fragment = UInt16(odd) << 5 | 0x2000 }
            }
            packet = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0x12, 0x34,
                      UInt8(fragment >> 8), UInt8(fragment & 0xFF), 64, protocolNumber, 0, 0]
            packet += source + destination
            let headerSum = ~Check.fold(Check.sum(packet[...]))
            packet[10] = UInt8(headerSum >> 8)
            packet[11] = UInt8(headerSum & 0xFF)
        }
        let tcpOffset = packet.count
        packet += tcp
        let pseudo = Check.pseudoHeader(packet, protocolNumber: 6)
        let value = partial ? pseudo : ~Check.fold(Check.sum(packet[tcpOffset...]) + UInt32(pseudo))
        packet[tcpOffset + 16] = UInt8(value >> 8)
        packet[tcpOffset + 17] = UInt8(value & 0xFF) ^ (corrupt ? 0x5A : 0)
        return (packet, partial)
    }
}

/// Where a rewrite must send a packet: from the listener (`tun:listener → peer:n`) back to
/// the flow's app as if from its destination; anything else from the app to the listener
/// as `peer:n`. The app's address is usually the TUN's own, but an app bound to another
/// local address sends from that one, and its replies go back there.
func checkAddresses(_ nat: TCPAddressTranslator, before: [UInt8], after: [UInt8], header: Int) {
    let v4 = Check.isV4(after)
    let source = { (packet: [UInt8]) in v4 ? Array(packet[12..<16]) : Array(packet[8..<24]) }
    let destination = { (packet: [UInt8]) in v4 ? Array(packet[16..<20]) : Array(packet[24..<40]) }
    let ports = { (packet: [UInt8]) in (Check.field(packet, header), Check.field(packet, header + 2)) }
    if destination(before) == (v4 ? Setup.peer4 : Setup.peer6) {
        let natPort = ports(before).1
        guard let flow = nat.flow(FlowHandle(family: v4 ? .v4 : .v6, natPort: natPort)) else {
            preconditionFailure("a reply was rewritten for a NAT port with no flow")
        }
        precondition(source(after) == flow.destinationAddressBytes && destination(after) == flow.sourceAddressBytes
                     && ports(after) == (flow.destination.port, flow.source.port),
                     "a reply was not sent back to its flow's app")
    } else {
        precondition(source(after) == (v4 ? Setup.peer4 : Setup.peer6) && destination(after) == (v4 ? Setup.tun4 : Setup.tun6)
                     && Setup.ports.contains(ports(after).0) && ports(after).1 == Setup.listenerPort,
                     "a packet from an app was not sent to the listener as the peer")
    }
}

/// Runs one packet through the translator and checks what came back.
func process(_ nat: inout TCPAddressTranslator, _ packet: [UInt8], partial: Bool,
             now: ContinuousClock.Instant, held: inout [FlowHandle]) {
    var packet = packet
    let before = packet
    let isTCP = packet.count >= 40 && (Check.isV4(packet) ? packet[9] == 6 : packet[6] == 6)
    let wasValid = isTCP && packet.count >= Check.headerLength(packet) + 20
        && (partial
            ? Check.field(packet, Check.headerLength(packet) + 16) == Check.pseudoHeader(packet, protocolNumber: 6)
                && (!Check.isV4(packet) || Check.fold(Check.sum(packet[0..<Check.headerLength(packet)])) == 0xFFFF)
            : Check.verifies(packet, protocolNumber: 6, pseudo: true))
    let verdict = packet.withUnsafeMutableBytes {
        nat.process($0, checksum: partial ? .partial : .complete, now: now)
    }
    switch verdict {
    case .rewritten:
        precondition(Check.declaredLength(packet) == packet.count, "a rewrite changed the IP length")
        let header = Check.headerLength(packet)
        checkAddresses(nat, before: before, after: packet, header: header)
        // Only the addresses, the ports and the checksums may change.
        for index in 0..<packet.count where packet[index] != before[index] {
            let isAddress = Check.isV4(packet) ? (12..<20).contains(index) : (8..<40).contains(index)
            let isChecksum = (Check.isV4(packet) && (10..<12).contains(index)) || (header + 16..<header + 18).contains(index)
            precondition(isAddress || isChecksum || (header..<header + 4).contains(index),
                         "a rewrite changed byte \(index)")
        }
        if wasValid {
            if partial {
                precondition(Check.field(packet, header + 16) == Check.pseudoHeader(packet, protocolNumber: 6),
                             "a partial checksum is not the new pseudo-header sum")
                if Check.isV4(packet) {
                    precondition(Check.fold(Check.sum(packet[0..<header])) == 0xFFFF, "IPv4 header checksum")
                }
            } else {
                precondition(Check.verifies(packet, protocolNumber: 6, pseudo: true), "a rewrite broke the checksum")
            }
        }
    case .held(let request):
        precondition(packet == before, "a held packet was modified")
        precondition(Setup.ports.contains(request.handle.natPort), "a NAT port outside the range")
        precondition(nat.state(request.handle) == .pending, "a held flow is not pending")
        held.append(request.handle)
    case .reply(let forged):
        precondition(packet == before, "a packet answered with a forged one was modified")
        Check.forged(forged)
    case .dropped:
        precondition(packet == before, "a dropped packet was modified")
    }
}

@main enum Main {
    static func main() { FuzzDriver.run(fuzz) }
}

func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = FuzzReader(data, size)
    var nat = Setup.translator()
    var now = ContinuousClock.now
    // Every flow the translator ever named; calls on stale ones must be refused harmlessly.
    var handles: [FlowHandle] = []
    var steps = 0
    while !reader.atEnd, steps < 64 {
        steps += 1
        let operation = reader.u8()
        switch operation % 10 {
        case 0...3:
            let (packet, partial) = PacketBuilder.build(&reader, handles: handles)
            process(&nat, packet, partial: partial, now: now, held: &handles)
        case 4:
            // Raw bytes, for the parser: mostly skipped, never trusted.
            let length = Int(reader.u16() % 1600)
            process(&nat, reader.take(length), partial: operation & 0x10 != 0, now: now, held: &handles)
        case 5, 6:
            guard !handles.isEmpty else { continue }
            let handle = handles[Int(reader.u8()) % handles.count]
            let wasPending = nat.state(handle) == .pending
            let answer: [UInt8]?
            switch operation >> 4 % 3 {
            case 0: answer = nat.admit(handle, now: now)
            case 1: answer = nat.refuse(handle)
            default: answer = nat.unreachable(handle)
            }
            precondition((answer != nil) == wasPending, "only a pending flow is answered")
            if let answer { Check.forged(answer) }
        case 7:
            guard !handles.isEmpty else { continue }
            let handle = handles[Int(reader.u8()) % handles.count]
            if operation & 0x10 == 0 {
                let wasAdmitted = nat.state(handle) == .admitted
                precondition(nat.accepted(handle, now: now) == wasAdmitted, "accepted is for admitted flows")
            } else {
                _ = nat.closed(handle, now: now)
            }
        default:
            now = now + .milliseconds(250 * Int(reader.u8()))
            for handle in nat.expire(now: now) {
                precondition(nat.state(handle) == nil, "an expired flow is still live")
            }
        }
        let statistics = nat.statistics
        precondition(statistics.liveFlows <= nat.configuration.maximumFlows, "more flows than maximumFlows")
        precondition(statistics.liveFlows >= 0 && statistics.skipped.total >= 0)
    }
    return 0
}
