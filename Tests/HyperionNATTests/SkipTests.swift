import HyperionNAT
import Testing

/// What the translator does not handle is dropped, counted by reason, and never read past.
@Suite struct SkipTests {
    func expectSkipped(_ packet: [UInt8], _ reason: SkipReason, sourceLocation: SourceLocation = #_sourceLocation) {
        var nat = Fixture.translator()
        var copy = packet
        #expect(nat.run(&copy).droppedReason == reason, sourceLocation: sourceLocation)
        #expect(copy == packet, "a skipped packet is not touched", sourceLocation: sourceLocation)
        #expect(nat.statistics.skipped[reason] == 1, sourceLocation: sourceLocation)
        #expect(nat.statistics.skipped.total == 1, sourceLocation: sourceLocation)
    }

    @Test func ipv4Fragments() {
        var moreFragments = Fixture.app()
        moreFragments.ipv4FlagsAndOffset = 0x2000
        expectSkipped(moreFragments.bytes(), .fragment)
        var laterFragment = Fixture.app()
        laterFragment.ipv4FlagsAndOffset = 0x0010
        expectSkipped(laterFragment.bytes(), .fragment)
    }

    @Test func ipv6ExtensionHeaders() {
        for header: UInt8 in [0, 43, 44, 60] {
            var packet = Fixture.app(true)
            packet.ipProtocol = header
            expectSkipped(packet.bytes(), .extensionHeader)
        }
    }

    @Test func otherProtocols() {
        var udp = Fixture.app()
        udp.ipProtocol = 17
        expectSkipped(udp.bytes(), .udp)
        var icmp = Fixture.app()
        icmp.ipProtocol = 1
        expectSkipped(icmp.bytes(), .icmp)
        var gre = Fixture.app(true)
        gre.ipProtocol = 47
        expectSkipped(gre.bytes(), .otherProtocol)
        var solicitation = Fixture.app(true).bytes()
        solicitation[6] = 58
        solicitation[40] = 135
        expectSkipped(solicitation, .neighbourDiscovery)
        var echo = Fixture.app(true).bytes()
        echo[6] = 58
        echo[40] = 128
        expectSkipped(echo, .icmp)
    }

    @Test func multicastAndLoops() {
        var multicast = Fixture.app()
        multicast.destination = [224, 0, 0, 251]
        expectSkipped(multicast.bytes(), .multicast)
        var multicast6 = Fixture.app(true)
        multicast6.destination = [0xFF, 0x02] + [UInt8](repeating: 0, count: 13) + [1]
        expectSkipped(multicast6.bytes(), .multicast)
        var toTun = Fixture.app()
        toTun.destination = Fixture.tun4
        expectSkipped(toTun.bytes(), .loop)
        var fromPeer = Fixture.app()
        fromPeer.source = Fixture.peer4
        expectSkipped(fromPeer.bytes(), .loop)
    }

    @Test func lengthsThatLie() {
        let packet = Fixture.app().bytes()
        expectSkipped(Array(packet.dropLast()), .lengthMismatch)
        expectSkipped(packet + [0], .lengthMismatch)
        let v6 = Fixture.app(true).bytes()
        expectSkipped(Array(v6.dropLast(3)), .lengthMismatch)
        var jumbo = v6
        jumbo.replace(at: 4, with: 0)
        expectSkipped(jumbo, .lengthMismatch)
    }

    @Test func headersThatDoNotFit() {
        var shortIHL = Fixture.app().bytes()
        shortIHL[0] = 0x44
        expectSkipped(shortIHL, .badHeaderLength)
        var tiny = TestPacket(source: Fixture.tun4, destination: Fixture.server4, sourcePort: 1, destinationPort: 2)
        tiny.options = []
        var tinyBytes = tiny.bytes()
        tinyBytes[0] = 0x4F  // 60-byte header in a 40-byte packet
        expectSkipped(tinyBytes, .badHeaderLength)
        var badOffset = Fixture.app().bytes()
        badOffset[20 + 12] = 0x40  // data offset 4
        expectSkipped(badOffset, .invalidTCPHeader)
        var pastEnd = tiny.bytes()
        pastEnd[20 + 12] = 0xF0  // 60-byte TCP header in 20 bytes
        expectSkipped(pastEnd, .invalidTCPHeader)
        expectSkipped([0x70, 0, 0, 0], .unknownVersion)
    }

    /// Every prefix of valid packets, and the same with lengths patched to match: skipped or
    /// handled, never a crash or a read past the end (the sanitizer build would see it).
    @Test func everyTruncationIsSafe() {
        var nat = Fixture.translator()
        for source in [Fixture.app().bytes(), Fixture.app(true).bytes(), Fixture.listener(natPort: 20000).bytes()] {
            for length in 0..<source.count {
                var prefix = Array(source.prefix(length))
                let verdict = nat.run(&prefix)
                if case .rewritten = verdict { Issue.record("a truncated packet was rewritten") }
                if case .held = verdict { Issue.record("a truncated packet was held") }
                var patched = Array(source.prefix(length))
                if patched.count >= 6 {
                    if patched[0] >> 4 == 4 { patched.replace(at: 2, with: UInt16(length)) }
                    else { patched.replace(at: 4, with: UInt16(max(0, length - 40))) }
                }
                _ = nat.run(&patched)
            }
        }
        var empty: [UInt8] = []
        #expect(nat.run(&empty).droppedReason == .truncated)
    }
}
