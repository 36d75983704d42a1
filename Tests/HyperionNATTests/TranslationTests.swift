import HyperionNAT
import Testing

/// The two directions of a flow, end to end through the public API.
@Suite struct TranslationTests {
    @Test(arguments: [false, true]) func synIsHeldThenInjectedRewritten(v6: Bool) throws {
        var nat = Fixture.translator()
        let syn = Fixture.app(v6, sourcePort: 40001, destinationPort: 443)
        var packet = syn.bytes()
        let original = packet
        let requestResult = nat.run(&packet)
        let request = try #require(requestResult.heldRequest)
        #expect(packet == original, "a held packet is not touched")
        #expect(request.handle.family == (v6 ? .v6 : .v4))
        #expect(request.sourceAddressBytes == syn.source)
        #expect(request.source.port == 40001)
        #expect(request.destinationAddressBytes == syn.destination)
        #expect(request.destination.port == 443)
        #expect(nat.state(request.handle) == .pending)
        #expect(nat.flow(request.handle) == request)

        let injectedResult = nat.admit(request.handle, now: Fixture.start)
        let injected = try #require(injectedResult)
        let fields = PacketFields(injected)
        #expect(fields.source == (v6 ? Fixture.peer6 : Fixture.peer4))
        #expect(fields.destination == (v6 ? Fixture.tun6 : Fixture.tun4))
        #expect(fields.sourcePort == request.handle.natPort)
        #expect(fields.destinationPort == Fixture.listenerPort)
        #expect(fields.sequence == syn.sequence)
        #expect(fields.flags == TestPacket.syn)
        #expect(injected.count == original.count)
        // Everything after the ports (options included) is the app's.
        let before = Array(PacketFields(original).transport), after = Array(fields.transport)
        #expect(after[4..<16] == before[4..<16])
        #expect(after[18...] == before[18...])
        expectValidTCP(injected)
        #expect(nat.state(request.handle) == .admitted)
        #expect(nat.admit(request.handle, now: Fixture.start) == nil, "only a pending flow is admitted")
    }

    @Test(arguments: [false, true]) func heldPartialSYNIsInjectedWithACompleteChecksum(v6: Bool) throws {
        var nat = Fixture.translator()
        var packet = Fixture.app(v6).bytes(partial: true)
        let requestResult = nat.run(&packet, partial: true)
        let request = try #require(requestResult.heldRequest)
        let injectedResult = nat.admit(request.handle, now: Fixture.start)
        let injected = try #require(injectedResult)
        expectValidTCP(injected)
    }

    @Test(arguments: [false, true]) func bothDirectionsAreRewritten(v6: Bool) throws {
        var nat = Fixture.translator()
        let handleResult = nat.establish(Fixture.app(v6, sourcePort: 40001, destinationPort: 443))
        let handle = try #require(handleResult)
        #expect(nat.state(handle) == .established)

        var data = Fixture.app(v6, sourcePort: 40001, destinationPort: 443, flags: TestPacket.ack | TestPacket.psh)
        data.payload = Array("GET / HTTP/1.1\r\n\r\n".utf8)
        data.acknowledgment = 777
        var forward = data.bytes()
        #expect(nat.run(&forward).isRewritten)
        let outbound = PacketFields(forward)
        #expect(outbound.source == (v6 ? Fixture.peer6 : Fixture.peer4))
        #expect(outbound.destination == (v6 ? Fixture.tun6 : Fixture.tun4))
        #expect(outbound.sourcePort == handle.natPort)
        #expect(outbound.destinationPort == Fixture.listenerPort)
        #expect(outbound.acknowledgment == 777)
        #expect(Array(forward.suffix(data.payload.count)) == data.payload)
        expectValidTCP(forward)

        var answer = Fixture.listener(v6, natPort: handle.natPort, flags: TestPacket.ack)
        answer.payload = Array("HTTP/1.1 200 OK\r\n".utf8)
        var reply = answer.bytes()
        #expect(nat.run(&reply).isRewritten)
        let inbound = PacketFields(reply)
        #expect(inbound.source == (v6 ? Fixture.server6 : Fixture.server4))
        #expect(inbound.destination == (v6 ? Fixture.tun6 : Fixture.tun4))
        #expect(inbound.sourcePort == 443)
        #expect(inbound.destinationPort == 40001)
        expectValidTCP(reply)

        let statistics = nat.statistics
        #expect(statistics.translatedForward == 1)
        #expect(statistics.translatedReply == 1)
        #expect(statistics.establishedFlows == 1)
    }

    @Test func twoConnectionsFromOneSourcePortToDifferentServersAreTwoFlows() throws {
        var nat = Fixture.translator()
        let firstResult = nat.establish(Fixture.app(sourcePort: 40001, destinationPort: 443))
        let first = try #require(firstResult)
        var other = Fixture.app(sourcePort: 40001, destinationPort: 443)
        other.destination = [198, 51, 100, 7]
        let secondResult = nat.establish(other)
        let second = try #require(secondResult)
        #expect(first != second)
        var reply = Fixture.listener(natPort: second.natPort, flags: TestPacket.ack).bytes()
        #expect(nat.run(&reply).isRewritten)
        #expect(PacketFields(reply).source == [198, 51, 100, 7])
    }

    @Test func packetsOfAnAdmittedFlowAreTranslatedBeforeTheAccept() throws {
        var nat = Fixture.translator()
        var syn = Fixture.app().bytes()
        let requestResult = nat.run(&syn)
        let request = try #require(requestResult.heldRequest)
        _ = nat.admit(request.handle, now: Fixture.start)
        var retransmit = Fixture.app().bytes()
        #expect(nat.run(&retransmit).isRewritten)
        var synAck = Fixture.listener(natPort: request.handle.natPort).bytes()
        #expect(nat.run(&synAck).isRewritten)
        expectValidTCP(synAck)
    }

    @Test func aFamilyWithoutAddressesIsNotServed() {
        var configuration = Fixture.configuration()
        configuration.v6 = nil
        var nat = TCPAddressTranslator(configuration: configuration)
        var packet = Fixture.app(true).bytes()
        #expect(nat.run(&packet).droppedReason == .familyNotServed)
        #expect(nat.statistics.skipped[.familyNotServed] == 1)
        var v4 = Fixture.app().bytes()
        #expect(nat.run(&v4).heldRequest != nil)
    }

    @Test func configurationRefusesMismatchedAddresses() {
        #expect(FamilyAddresses(tun: Fixture.tun4, peer: Fixture.peer6, listenerPort: 1) == nil)
        #expect(FamilyAddresses(tun: Fixture.tun4, peer: Fixture.tun4, listenerPort: 1) == nil)
        #expect(FamilyAddresses(tun: [1, 2, 3], peer: [1, 2, 4], listenerPort: 1) == nil)
        #expect(FamilyAddresses(tun: Fixture.tun6, peer: Fixture.peer6, listenerPort: 1)?.family == .v6)
    }

    @Test func addressesRoundTripThroughTheirBytes() throws {
        for bytes in [Fixture.tun4, Fixture.server4, Fixture.server6, Fixture.peer6, [255, 255, 255, 255]] {
            let address = try #require(NATAddress(bytes: bytes))
            #expect(address.bytes(bytes.count == 4 ? .v4 : .v6) == bytes)
        }
    }
}
