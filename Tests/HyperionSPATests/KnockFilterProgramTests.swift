import Testing
@testable import HyperionSPA

@Suite struct KnockFilterProgramTests {
    let program = KnockFilterProgram.instructions(knockPort: 8443)

    func passes(_ frame: [UInt8]) throws -> Bool { try BPFInterpreter.run(program, on: frame) != 0 }

    @Test func structure() {
        #expect(program.count == 16)
        #expect(program.count <= 4096)  // BPF_MAXINSNS
        // Every conditional jump lands inside the program, and every path ends in a return:
        // the last two instructions are the only returns, "whole frame" then "drop".
        for (pc, instruction) in program.enumerated() where instruction.code & 0x07 == BPFInstruction.classJMP {
            #expect(pc + 1 + Int(instruction.jumpIfTrue) < program.count)
            #expect(pc + 1 + Int(instruction.jumpIfFalse) < program.count)
        }
        #expect(program.filter { $0.code == BPFInstruction.classRET }.count == 2)
        #expect(program[14] == .returnLength(UInt32.max))
        #expect(program[15] == .returnLength(0))
        #expect(program.contains(.loadIPv4HeaderLength(14)))  // ldxb 4*([14]&0xf)
        #expect(program.filter { $0.k == 8443 }.count == 2)
        #expect(KnockFilterProgram.instructions(knockPort: 1).filter { $0.k == 1 }.count >= 2)
    }

    @Test func passesUDPToTheKnockPort() throws {
        #expect(try passes(FrameBuilder().frame))
        #expect(try passes(FrameBuilder.v6().frame))
        var withOptions = FrameBuilder()
        withOptions.ipv4Options = [UInt8](repeating: 1, count: 40)
        #expect(try passes(withOptions.frame))
    }

    @Test func dropsEverythingElse() throws {
        var otherPort = FrameBuilder()
        otherPort.destinationPort = 8444
        #expect(try !passes(otherPort.frame))
        var otherPort6 = FrameBuilder.v6()
        otherPort6.destinationPort = 53
        #expect(try !passes(otherPort6.frame))
        var tcp = FrameBuilder()
        tcp.ipProtocol = 6
        #expect(try !passes(tcp.frame))
        var tcp6 = FrameBuilder.v6()
        tcp6.ipv6NextHeader = 6
        #expect(try !passes(tcp6.frame))
        var extensionHeader = FrameBuilder.v6()
        extensionHeader.ipv6NextHeader = 0
        #expect(try !passes(extensionHeader.frame))
        for field: UInt16 in [0x2000, 0x0001, 0x00B9] {
            var fragment = FrameBuilder()
            fragment.fragmentField = field
            #expect(try !passes(fragment.frame))
        }
        var arp = FrameBuilder().frame
        arp[12] = 0x08
        arp[13] = 0x06
        #expect(try !passes(arp))
        #expect(try !passes([]))
        #expect(try !passes(Array(FrameBuilder().frame.prefix(36))))
    }

    /// Documented: 802.1Q is not matched (the kernel untags before packet taps run).
    @Test func dropsAFrameThatStillCarriesAVLANTag() throws {
        var tagged = FrameBuilder()
        tagged.vlanTag = 10
        #expect(try !passes(tagged.frame))
    }

    /// The filter never drops what the parser would accept as UDP to the knock port
    /// (untagged), on random mutations of valid frames.
    @Test func neverDropsWhatTheParserAccepts() throws {
        var generator = SystemRandomNumberGenerator()
        let seeds = [FrameBuilder().frame, FrameBuilder.v6().frame]
        var agreed = 0
        for round in 0..<20_000 {
            var frame = seeds[round % 2]
            for _ in 0..<Int.random(in: 0...3, using: &generator) {
                frame[Int.random(in: 0..<frame.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            guard let datagram = CapturedPacketParser.parse(frame), frame[12] != 0x81,
                  datagram.destinationPort == 8443 else { continue }
            #expect(try passes(frame), "frame \(frame)")
            agreed += 1
        }
        #expect(agreed > 1000)
    }
}
