import HyperionNAT
import Testing

/// The rewrites the NAT hands to TUN mode's kernel fast path are the ones it makes itself:
/// a copy that followed them would send every segment where `process` sends it.
@Suite struct FlowTranslationTests {
    @Test(arguments: [false, true]) func translationsAreWhatProcessDoesInBothDirections(v6: Bool) throws {
        var nat = Fixture.translator()
        let established = nat.establish(Fixture.app(v6, sourcePort: 40001, destinationPort: 443))
        let handle = try #require(established)
        let translations = try #require(nat.translations(handle))
        #expect(translations.count == 2)
        #expect(translations.allSatisfy { $0.family == (v6 ? .v6 : .v4) })

        var data = Fixture.app(v6, sourcePort: 40001, destinationPort: 443, flags: TestPacket.ack | TestPacket.psh)
        data.payload = Array("hello".utf8)
        var reply = Fixture.listener(v6, natPort: handle.natPort, flags: TestPacket.ack)
        reply.payload = Array("world".utf8)
        for (packet, translation) in [(data, translations[0]), (reply, translations[1])] {
            var bytes = packet.bytes()
            #expect(PacketFields(bytes).tuple == translation.original)
            #expect(nat.run(&bytes).isRewritten)
            #expect(PacketFields(bytes).tuple == translation.rewritten)
        }
    }

    @Test func onlyAnEstablishedFlowHasTranslations() throws {
        var nat = Fixture.translator()
        var syn = Fixture.app().bytes()
        let verdict = nat.run(&syn)
        let request = try #require(verdict.heldRequest)
        #expect(nat.translations(request.handle) == nil, "pending")
        _ = nat.admit(request.handle, now: Fixture.start)
        #expect(nat.translations(request.handle) == nil, "admitted")
        nat.accepted(request.handle, now: Fixture.start)
        #expect(nat.translations(request.handle) != nil, "established")
        nat.closed(request.handle, now: Fixture.start)
        #expect(nat.translations(request.handle) == nil, "closing: its last packets are the table's")
        #expect(nat.translations(FlowHandle(family: .v6, natPort: request.handle.natPort)) == nil, "another family")
    }
}

extension PacketFields {
    var tuple: NATFourTuple {
        NATFourTuple(source: NATEndpoint(address: NATAddress(bytes: source)!, port: sourcePort),
                     destination: NATEndpoint(address: NATAddress(bytes: destination)!, port: destinationPort))
    }
}
