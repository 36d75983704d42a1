import Testing
@testable import HyperionSPA

@Suite struct CapturedPacketParserTests {
    func expectDatagram(_ builder: FrameBuilder, sourceLocation: SourceLocation = #_sourceLocation) {
        let frame = builder.frame
        let datagram = CapturedPacketParser.parse(frame)
        #expect(datagram?.source == builder.source, sourceLocation: sourceLocation)
        #expect(datagram?.destinationPort == builder.destinationPort, sourceLocation: sourceLocation)
        #expect(datagram?.payload == builder.payloadOffset..<(builder.payloadOffset + builder.payload.count), sourceLocation: sourceLocation)
    }

    @Test func ipv4() {
        expectDatagram(FrameBuilder())
    }

    @Test func ipv4WithOptions() {
        var builder = FrameBuilder()
        builder.ipv4Options = [1, 1, 1, 0, 7, 7, 7, 7]
        expectDatagram(builder)
    }

    @Test func ipv6() {
        expectDatagram(.v6("fd00:1:2::42"))
    }

    @Test func oneVLANTag() {
        var builder = FrameBuilder()
        builder.vlanTag = 42
        expectDatagram(builder)
        var v6 = FrameBuilder.v6()
        v6.vlanTag = 7
        expectDatagram(v6)
    }

    @Test func twoVLANTagsAreRefused() {
        var frame = FrameBuilder().frame
        frame.insert(contentsOf: be16(0x8100) + be16(5), at: 12)
        frame.insert(contentsOf: be16(0x8100) + be16(6), at: 12)
        #expect(CapturedPacketParser.parse(frame) == nil)
    }

    @Test func ethernetPaddingIsIgnored() {
        var builder = FrameBuilder()
        builder.payload = [1, 2]
        builder.trailer = [UInt8](repeating: 0, count: 16)
        expectDatagram(builder)
    }

    @Test func emptyPayload() {
        var builder = FrameBuilder()
        builder.payload = []
        expectDatagram(builder)
    }

    @Test func fragmentsAreRefused() {
        for field: UInt16 in [0x2000, 0x0001, 0x2010, 0x1FFF] {
            var builder = FrameBuilder()
            builder.fragmentField = field
            #expect(CapturedPacketParser.parse(builder.frame) == nil, "fragment field \(field)")
        }
        var dontFragment = FrameBuilder()
        dontFragment.fragmentField = 0x4000
        #expect(CapturedPacketParser.parse(dontFragment.frame) != nil)
    }

    @Test func otherProtocolsAndEtherTypesAreRefused() {
        var tcp = FrameBuilder()
        tcp.ipProtocol = 6
        #expect(CapturedPacketParser.parse(tcp.frame) == nil)
        var hopByHop = FrameBuilder.v6()
        hopByHop.ipv6NextHeader = 0
        #expect(CapturedPacketParser.parse(hopByHop.frame) == nil)
        var arp = FrameBuilder().frame
        arp[12] = 0x08
        arp[13] = 0x06
        #expect(CapturedPacketParser.parse(arp) == nil)
    }

    @Test func inconsistentIPv4HeadersAreRefused() {
        let good = FrameBuilder().frame
        func mutated(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
            var frame = good
            change(&frame)
            return frame
        }
        #expect(CapturedPacketParser.parse(mutated { $0[14] = 0x65 }) == nil)  // version 6 in an IPv4 frame
        #expect(CapturedPacketParser.parse(mutated { $0[14] = 0x44 }) == nil)  // IHL 4
        #expect(CapturedPacketParser.parse(mutated { $0[14] = 0x4F }) == nil)  // IHL 15: past the packet
        #expect(CapturedPacketParser.parse(mutated { $0[16] = 0xFF }) == nil)  // total length past the frame
        #expect(CapturedPacketParser.parse(mutated { $0[16] = 0; $0[17] = 27 }) == nil)  // total length < IHL + 8
        #expect(CapturedPacketParser.parse(mutated { $0[38] = 0; $0[39] = 7 }) == nil)  // UDP length < 8
        #expect(CapturedPacketParser.parse(mutated { $0[38] = 0; $0[39] = 53 }) == nil)  // UDP length past IP
    }

    @Test func inconsistentIPv6HeadersAreRefused() {
        let good = FrameBuilder.v6().frame
        var version = good
        version[14] = 0x40
        #expect(CapturedPacketParser.parse(version) == nil)
        var tooLong = good
        tooLong[19] &+= 1
        #expect(CapturedPacketParser.parse(tooLong) == nil)
        var jumbo = good
        jumbo[18] = 0
        jumbo[19] = 0
        #expect(CapturedPacketParser.parse(jumbo) == nil)
        var udpTooLong = good
        udpTooLong[14 + 40 + 5] &+= 1
        #expect(CapturedPacketParser.parse(udpTooLong) == nil)
    }

    @Test func everyTruncationIsRefused() {
        for builder in [FrameBuilder(), FrameBuilder.v6(), { var b = FrameBuilder(); b.vlanTag = 3; return b }()] {
            let frame = builder.frame
            #expect(CapturedPacketParser.parse(frame) != nil)
            for length in 0..<frame.count {
                #expect(CapturedPacketParser.parse(Array(frame[0..<length])) == nil, "length \(length)")
            }
        }
    }

    /// Random bytes, random lengths: never a crash, and any result stays inside the frame.
    @Test func randomInputIsHandled() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...200, using: &generator)
            let frame = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if let datagram = CapturedPacketParser.parse(frame) {
                #expect(datagram.payload.lowerBound >= 0 && datagram.payload.upperBound <= frame.count)
            }
        }
    }

    /// Valid frames with random bytes flipped or cut: the parser refuses or returns a
    /// payload range inside the frame, never reads past it.
    @Test func mutatedValidFramesStayInBounds() {
        var generator = SystemRandomNumberGenerator()
        let seeds = [FrameBuilder().frame, FrameBuilder.v6().frame, { var b = FrameBuilder(); b.vlanTag = 9; return b.frame }()]
        for round in 0..<20_000 {
            var frame = seeds[round % seeds.count]
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                frame[Int.random(in: 0..<frame.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            if Bool.random(using: &generator) { frame.removeLast(Int.random(in: 0..<frame.count, using: &generator)) }
            if let datagram = CapturedPacketParser.parse(frame) {
                #expect(datagram.payload.lowerBound >= 14 + 20 + 8 && datagram.payload.upperBound <= frame.count)
            }
        }
    }
}
