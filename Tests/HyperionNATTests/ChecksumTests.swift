@testable import HyperionNAT
import Testing

/// Every rewrite leaves checksums equal to a full recompute, whatever the bytes; and a
/// partial (NEEDS_CSUM) field becomes the pseudo-header sum of the new addresses.
@Suite struct ChecksumTests {
    /// A small deterministic generator, so a failure names a reproducible seed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func randomPacket(_ v6: Bool, payload: Int, using random: inout SplitMix) -> TestPacket {
        var packet = Fixture.app(v6, sourcePort: .random(in: 1...65535, using: &random),
                                 destinationPort: .random(in: 1...65535, using: &random),
                                 flags: TestPacket.ack | TestPacket.psh)
        packet.destination = (0..<(v6 ? 16 : 4)).map { _ in .random(in: 0...255, using: &random) }
        packet.destination[0] = v6 ? 0x20 : .random(in: 1...223, using: &random)
        packet.sequence = .random(in: 0...UInt32.max, using: &random)
        packet.acknowledgment = .random(in: 0...UInt32.max, using: &random)
        packet.window = .random(in: 0...UInt16.max, using: &random)
        packet.options = (0..<(4 * Int.random(in: 0...10, using: &random))).map { _ in .random(in: 0...255, using: &random) }
        packet.payload = (0..<payload).map { _ in .random(in: 0...255, using: &random) }
        if !v6, Bool.random(using: &random) {
            packet.ipv4Options = [1, 1, 1, 0]  // NOPs and end of list: IHL 6
        }
        return packet
    }

    @Test(arguments: [false, true]) func manyRandomFlowsStayValidBothWays(v6: Bool) throws {
        var random = SplitMix(state: v6 ? 6 : 4)
        var nat = Fixture.translator(ports: 10000...60000, maximumFlows: 50000)
        for round in 0..<300 {
            let data = Self.randomPacket(v6, payload: .random(in: 0...300, using: &random), using: &random)
            var syn = data
            syn.flags = TestPacket.syn
            syn.payload = []
            let handleResult = nat.establish(syn)
            let handle = try #require(handleResult, "round \(round)")
            var forward = data.bytes()
            #expect(nat.run(&forward).isRewritten)
            #expect(forward.count == PacketFields(forward).declaredLength)
            expectValidTCP(forward)

            var answer = Self.randomPacket(v6, payload: .random(in: 0...300, using: &random), using: &random)
            answer.source = v6 ? Fixture.tun6 : Fixture.tun4
            answer.destination = v6 ? Fixture.peer6 : Fixture.peer4
            answer.sourcePort = Fixture.listenerPort
            answer.destinationPort = handle.natPort
            var reply = answer.bytes()
            #expect(nat.run(&reply).isRewritten)
            #expect(PacketFields(reply).source == data.destination)
            #expect(PacketFields(reply).sourcePort == data.destinationPort)
            expectValidTCP(reply)
        }
    }

    /// A TSO super-packet near the 64 KiB limit is rewritten like any other, by its real
    /// length, with the checksum still equal to a recompute over all of it.
    @Test(arguments: [false, true]) func gsoSuperPacket(v6: Bool) throws {
        var random = SplitMix(state: 60_000)
        var nat = Fixture.translator()
        let handleResult = nat.establish(Fixture.app(v6))
        let handle = try #require(handleResult)
        var big = Self.randomPacket(v6, payload: 60_000, using: &random)
        big.sourcePort = 40001
        big.destinationPort = 443
        big.destination = v6 ? Fixture.server6 : Fixture.server4
        var packet = big.bytes()
        #expect(packet.count > 60_000)
        #expect(nat.run(&packet).isRewritten)
        #expect(PacketFields(packet).sourcePort == handle.natPort)
        expectValidTCP(packet)

        var partial = big.bytes(partial: true)
        #expect(nat.run(&partial, partial: true).isRewritten)
        #expect(ReferenceChecksum.storedTCP(partial) == ReferenceChecksum.pseudoHeader(partial))
    }

    @Test(arguments: [false, true]) func partialChecksumBecomesTheNewPseudoHeaderSum(v6: Bool) throws {
        var random = SplitMix(state: 99)
        var nat = Fixture.translator()
        let handleResult = nat.establish(Fixture.app(v6))
        let handle = try #require(handleResult)
        for _ in 0..<100 {
            var data = Self.randomPacket(v6, payload: .random(in: 0...1400, using: &random), using: &random)
            data.sourcePort = 40001
            data.destinationPort = 443
            data.destination = v6 ? Fixture.server6 : Fixture.server4
            var forward = data.bytes(partial: true)
            #expect(nat.run(&forward, partial: true).isRewritten)
            // Freshly computed for peer → tun; the ports are not in it.
            #expect(ReferenceChecksum.storedTCP(forward) == ReferenceChecksum.pseudoHeader(forward))
            if !v6 { #expect(ReferenceChecksum.field(forward, 10) == ReferenceChecksum.ipv4Header(forward)) }

            var answer = data
            answer.source = v6 ? Fixture.tun6 : Fixture.tun4
            answer.destination = v6 ? Fixture.peer6 : Fixture.peer4
            answer.sourcePort = Fixture.listenerPort
            answer.destinationPort = handle.natPort
            var reply = answer.bytes(partial: true)
            #expect(nat.run(&reply, partial: true).isRewritten)
            #expect(ReferenceChecksum.storedTCP(reply) == ReferenceChecksum.pseudoHeader(reply))
        }
    }

    /// The module's own summing against the reference, over odd lengths and all-ones data
    /// (where 0x0000 and 0xFFFF could be confused).
    @Test func moduleSumAgreesWithTheReference() {
        var random = SplitMix(state: 1)
        for length in [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 63, 1501] {
            for fill in [nil, UInt8(0xFF), UInt8(0)] {
                let bytes = (0..<length).map { _ in fill ?? .random(in: 0...255, using: &random) }
                var sum = OnesComplementSum()
                bytes.withUnsafeBytes { sum.add(bytes: $0) }
                let reference = ReferenceChecksum.fold(ReferenceChecksum.sum(bytes[...]))
                #expect(sum.folded == reference, "length \(length) fill \(String(describing: fill))")
            }
        }
    }
}
