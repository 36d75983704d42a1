import HyperionSPA

/// Runs a classic BPF program on a frame the way the kernel does for the instructions the
/// knock filter uses: a load past the end of the frame ends the program with 0 (drop).
/// Any other opcode fails the test run, so the interpreter cannot silently approve a
/// program it does not understand.
enum BPFInterpreter {
    enum Failure: Error { case unsupported(BPFInstruction), jumpOutOfProgram(Int), fellOffTheEnd }

    static func run(_ program: [BPFInstruction], on frame: [UInt8]) throws -> UInt32 {
        var a: UInt32 = 0
        var x: UInt32 = 0
        var pc = 0
        func load(_ offset: Int, size: Int) -> UInt32? {
            guard offset >= 0, offset + size <= frame.count else { return nil }
            return frame[offset..<(offset + size)].reduce(0) { $0 << 8 | UInt32($1) }
        }
        while pc < program.count {
            let instruction = program[pc]
            let k = instruction.k
            pc += 1
            switch instruction.code {
            case BPFInstruction.classLD | BPFInstruction.sizeH | BPFInstruction.modeABS:
                guard let value = load(Int(k), size: 2) else { return 0 }
                a = value
            case BPFInstruction.classLD | BPFInstruction.sizeB | BPFInstruction.modeABS:
                guard let value = load(Int(k), size: 1) else { return 0 }
                a = value
            case BPFInstruction.classLD | BPFInstruction.sizeH | BPFInstruction.modeIND:
                guard let value = load(Int(x) + Int(k), size: 2) else { return 0 }
                a = value
            case BPFInstruction.classLDX | BPFInstruction.sizeB | BPFInstruction.modeMSH:
                guard let value = load(Int(k), size: 1) else { return 0 }
                x = 4 * (value & 0x0F)
            case BPFInstruction.classJMP | BPFInstruction.jumpEQ | BPFInstruction.sourceK:
                pc += Int(a == k ? instruction.jumpIfTrue : instruction.jumpIfFalse)
            case BPFInstruction.classJMP | BPFInstruction.jumpSET | BPFInstruction.sourceK:
                pc += Int(a & k != 0 ? instruction.jumpIfTrue : instruction.jumpIfFalse)
            case BPFInstruction.classRET | BPFInstruction.sourceK:
                return k
            default:
                throw Failure.unsupported(instruction)
            }
            guard pc <= program.count else { throw Failure.jumpOutOfProgram(pc) }
        }
        throw Failure.fellOffTheEnd
    }
}
