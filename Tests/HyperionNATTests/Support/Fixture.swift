import HyperionNAT
import Testing

/// The addresses of TUN-NOTES.md's example: tun 10.99.0.1 with the listener on port 7000, the
/// virtual peer 10.99.0.2; fd99::1 / fd99::2 for IPv6. Apps dial servers elsewhere.
enum Fixture {
    static let tun4: [UInt8] = [10, 99, 0, 1]
    static let peer4: [UInt8] = [10, 99, 0, 2]
    static let server4: [UInt8] = [93, 184, 216, 34]
    static let tun6: [UInt8] = [0xFD, 0x99] + [UInt8](repeating: 0, count: 13) + [1]
    static let peer6: [UInt8] = [0xFD, 0x99] + [UInt8](repeating: 0, count: 13) + [2]
    static let server6: [UInt8] = [0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0xAB, 0xCD, 0, 0, 0, 0, 0x12, 0x34]
    static let listenerPort: UInt16 = 7000
    static let start = ContinuousClock.now

    static func configuration(
        ports: ClosedRange<UInt16> = 20000...20999, maximumFlows: Int = 1000
    ) -> NATConfiguration {
        var configuration = NATConfiguration(
            v4: FamilyAddresses(tun: tun4, peer: peer4, listenerPort: listenerPort),
            v6: FamilyAddresses(tun: tun6, peer: peer6, listenerPort: listenerPort)
        )
        configuration.ports = ports
        configuration.maximumFlows = maximumFlows
        configuration.pendingTimeout = .seconds(10)
        configuration.admittedTimeout = .seconds(5)
        configuration.closedHold = .seconds(120)
        return configuration
    }

    static func translator(ports: ClosedRange<UInt16> = 20000...20999, maximumFlows: Int = 1000) -> TCPAddressTranslator {
        TCPAddressTranslator(configuration: configuration(ports: ports, maximumFlows: maximumFlows))
    }

    /// A packet from the app (tun:sport) to the server.
    static func app(_ v6: Bool = false, sourcePort: UInt16 = 40001, destinationPort: UInt16 = 443, flags: UInt8 = TestPacket.syn) -> TestPacket {
        TestPacket(source: v6 ? tun6 : tun4, destination: v6 ? server6 : server4,
                   sourcePort: sourcePort, destinationPort: destinationPort, flags: flags)
    }

    /// A packet from the listener (tun:7000) to the peer's NAT port.
    static func listener(_ v6: Bool = false, natPort: UInt16, flags: UInt8 = TestPacket.syn | TestPacket.ack) -> TestPacket {
        TestPacket(source: v6 ? tun6 : tun4, destination: v6 ? peer6 : peer4,
                   sourcePort: listenerPort, destinationPort: natPort, flags: flags)
    }

    static func at(_ seconds: Double) -> ContinuousClock.Instant {
        start + .milliseconds(Int(seconds * 1000))
    }
}

extension TCPAddressTranslator {
    /// Runs one packet through `process`, on a copy the caller then inspects.
    mutating func run(_ packet: inout [UInt8], partial: Bool = false, at now: ContinuousClock.Instant = Fixture.start) -> PacketVerdict {
        let state: ChecksumState = partial ? .partial : .complete
        return packet.withUnsafeMutableBytes { process($0, checksum: state, now: now) }
    }

    /// Sends the app's first SYN and admits it; returns the flow's handle.
    mutating func establish(_ syn: TestPacket, at now: ContinuousClock.Instant = Fixture.start,
                            sourceLocation: SourceLocation = #_sourceLocation) -> FlowHandle? {
        var packet = syn.bytes()
        guard case .held(let request) = run(&packet, at: now) else {
            Issue.record("the SYN was not held", sourceLocation: sourceLocation)
            return nil
        }
        #expect(admit(request.handle, now: now) != nil, sourceLocation: sourceLocation)
        #expect(accepted(request.handle, now: now), sourceLocation: sourceLocation)
        return request.handle
    }
}

extension PacketVerdict {
    var isRewritten: Bool { if case .rewritten = self { true } else { false } }
    var heldRequest: FlowRequest? { if case .held(let request) = self { request } else { nil } }
    var replyPacket: [UInt8]? { if case .reply(let packet) = self { packet } else { nil } }
    var droppedReason: SkipReason? { if case .dropped(let reason) = self { reason } else { nil } }
}

/// Both checksums of a TCP packet equal a full recompute.
func expectValidTCP(_ packet: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
    if packet[0] >> 4 == 4 {
        #expect(ReferenceChecksum.field(packet, 10) == ReferenceChecksum.ipv4Header(packet), "IPv4 header checksum", sourceLocation: sourceLocation)
    }
    #expect(ReferenceChecksum.storedTCP(packet) == ReferenceChecksum.transport(packet), "TCP checksum", sourceLocation: sourceLocation)
}
