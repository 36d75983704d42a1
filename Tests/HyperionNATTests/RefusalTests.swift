import HyperionNAT
import Testing

/// The packets written instead of a connection: refusals, unreachables, and RSTs for
/// packets of flows the table does not know.
@Suite struct RefusalTests {
    @Test(arguments: [false, true]) func refuseAnswersTheHeldSYNWithRSTACK(v6: Bool) throws {
        var nat = Fixture.translator()
        var syn = Fixture.app(v6, sourcePort: 40001, destinationPort: 22)
        syn.sequence = 0xFFFF_FFFF  // ack wraps to 0
        var packet = syn.bytes()
        let requestResult = nat.run(&packet)
        let request = try #require(requestResult.heldRequest)
        let rstResult = nat.refuse(request.handle)
        let rst = try #require(rstResult)
        let fields = PacketFields(rst)
        #expect(fields.isV4 == !v6)
        #expect(fields.ipProtocol == 6)
        #expect(fields.source == syn.destination)
        #expect(fields.destination == syn.source)
        #expect(fields.sourcePort == 22)
        #expect(fields.destinationPort == 40001)
        #expect(fields.sequence == 0)
        #expect(fields.acknowledgment == 0)
        #expect(fields.flags == TestPacket.rst | TestPacket.ack)
        #expect(fields.declaredLength == rst.count)
        expectValidTCP(rst)
        #expect(nat.state(request.handle) == nil, "refusing frees the flow")
        #expect(nat.refuse(request.handle) == nil)
        #expect(nat.statistics.refusedByCaller == 1)
        #expect(nat.statistics.liveFlows == 0)
    }

    @Test func refusalAcknowledgesSYNData() throws {
        var nat = Fixture.translator()
        var syn = Fixture.app()
        syn.sequence = 5000
        syn.payload = [1, 2, 3, 4, 5, 6, 7]  // TCP Fast Open
        var packet = syn.bytes()
        let requestResult = nat.run(&packet)
        let request = try #require(requestResult.heldRequest)
        let rstResult = nat.refuse(request.handle)
        let rst = try #require(rstResult)
        #expect(PacketFields(rst).acknowledgment == 5000 + 1 + 7)
    }

    @Test(arguments: [false, true]) func unreachableQuotesTheOriginalSYN(v6: Bool) throws {
        var nat = Fixture.translator()
        var syn = Fixture.app(v6, sourcePort: 40002, destinationPort: 443)
        syn.payload = [UInt8](repeating: 0xAB, count: 100)
        var packet = syn.bytes()
        let original = packet
        let requestResult = nat.run(&packet)
        let request = try #require(requestResult.heldRequest)
        let icmpResult = nat.unreachable(request.handle)
        let icmp = try #require(icmpResult)
        let fields = PacketFields(icmp)
        #expect(fields.source == syn.destination)
        #expect(fields.destination == syn.source)
        #expect(fields.declaredLength == icmp.count)
        let header = fields.headerLength
        if v6 {
            #expect(fields.ipProtocol == 58)
            #expect(Array(icmp[header..<header + 2]) == [1, 3])
            #expect(Array(icmp[(header + 8)...]) == original, "a small SYN is quoted whole")
            #expect(ReferenceChecksum.field(icmp, header + 2)
                    == ReferenceChecksum.transport(icmp, protocolNumber: 58, checksumOffset: 2))
        } else {
            #expect(fields.ipProtocol == 1)
            #expect(Array(icmp[header..<header + 2]) == [3, 1])
            #expect(Array(icmp[(header + 8)...]) == Array(original[0..<28]), "the IP header and 8 bytes")
            #expect(ReferenceChecksum.field(icmp, header + 2) == ReferenceChecksum.icmpV4(icmp))
            #expect(ReferenceChecksum.field(icmp, 10) == ReferenceChecksum.ipv4Header(icmp))
        }
        #expect(nat.state(request.handle) == nil)
        #expect(nat.statistics.unreachableSent == 1)
    }

    @Test func unreachableQuotesIPv4OptionsWithTheHeader() throws {
        var nat = Fixture.translator()
        var syn = Fixture.app()
        syn.ipv4Options = [1, 1, 1, 0, 1, 1, 1, 0]
        var packet = syn.bytes()
        let original = packet
        let requestResult = nat.run(&packet)
        let request = try #require(requestResult.heldRequest)
        let icmpResult = nat.unreachable(request.handle)
        let icmp = try #require(icmpResult)
        #expect(Array(icmp[28...]) == Array(original[0..<(28 + 8)]))
    }

    @Test func ipv6UnreachableStaysWithin1280Bytes() throws {
        var configuration = Fixture.configuration()
        configuration.maximumHeldSYNLength = 2000
        var nat = TCPAddressTranslator(configuration: configuration)
        var syn = Fixture.app(true)
        syn.payload = [UInt8](repeating: 7, count: 1400)
        var packet = syn.bytes()
        let original = packet
        let requestResult = nat.run(&packet)
        let request = try #require(requestResult.heldRequest)
        let icmpResult = nat.unreachable(request.handle)
        let icmp = try #require(icmpResult)
        #expect(icmp.count == 1280)
        #expect(Array(icmp[48...]) == Array(original[0..<(1280 - 48)]))
        #expect(ReferenceChecksum.field(icmp, 42) == ReferenceChecksum.transport(icmp, protocolNumber: 58, checksumOffset: 2))
    }

    @Test(arguments: [false, true]) func ackOfAnUnknownFlowGetsRSTWithItsAckAsSequence(v6: Bool) throws {
        var nat = Fixture.translator()
        var stray = Fixture.app(v6, sourcePort: 41000, destinationPort: 8443, flags: TestPacket.ack | TestPacket.psh)
        stray.acknowledgment = 0xDEAD_BEEF
        stray.payload = [1, 2, 3]
        var packet = stray.bytes()
        let rstResult = nat.run(&packet)
        let rst = try #require(rstResult.replyPacket)
        let fields = PacketFields(rst)
        #expect(fields.source == stray.destination)
        #expect(fields.destination == stray.source)
        #expect(fields.sourcePort == 8443)
        #expect(fields.destinationPort == 41000)
        #expect(fields.sequence == 0xDEAD_BEEF)
        #expect(fields.flags == TestPacket.rst)
        expectValidTCP(rst)
        #expect(nat.statistics.resetsForUnknownFlows == 1)
        #expect(nat.statistics.liveFlows == 0)
    }

    @Test func segmentWithoutACKGetsRSTACKCoveringItsLength() throws {
        var nat = Fixture.translator()
        var stray = Fixture.app(flags: TestPacket.fin)
        stray.sequence = 100
        stray.payload = [9, 9, 9, 9]
        var packet = stray.bytes()
        let rstResult = nat.run(&packet)
        let rst = try #require(rstResult.replyPacket)
        let fields = PacketFields(rst)
        #expect(fields.sequence == 0)
        #expect(fields.acknowledgment == 100 + 4 + 1)  // data, plus one for FIN
        #expect(fields.flags == TestPacket.rst | TestPacket.ack)
        expectValidTCP(rst)
    }

    @Test func aResetOfAnUnknownFlowIsNotAnswered() {
        var nat = Fixture.translator()
        var packet = Fixture.app(flags: TestPacket.rst | TestPacket.ack).bytes()
        #expect(nat.run(&packet).droppedReason == .resetOfUnknownFlow)
    }

    @Test func replyForAnUnknownPortIsDroppedAndCounted() {
        var nat = Fixture.translator()
        var packet = Fixture.listener(natPort: 20500).bytes()
        #expect(nat.run(&packet).droppedReason == .unknownReply)
        var otherPort = Fixture.listener(natPort: 20500).bytes()
        otherPort.replace(at: 20, with: 7001)
        #expect(nat.run(&otherPort).droppedReason == .notFromListener)
        #expect(nat.statistics.skipped[.unknownReply] == 1)
        #expect(nat.statistics.skipped[.notFromListener] == 1)
    }
}
