/// One classic BPF instruction, laid out like the kernel's `struct sock_filter`.
///
/// Kept as a plain Swift value so the knock filter can be built and unit-tested (by the
/// interpreter in the tests) on any platform; the Linux sniffer converts it when attaching.
public struct BPFInstruction: Hashable, Sendable, CustomStringConvertible {
    public var code: UInt16
    /// Forward jump offsets for conditional jumps: the next instruction is `pc + 1 + jt`.
    public var jumpIfTrue: UInt8
    public var jumpIfFalse: UInt8
    public var k: UInt32

    public init(code: UInt16, jumpIfTrue: UInt8 = 0, jumpIfFalse: UInt8 = 0, k: UInt32) {
        self.code = code
        self.jumpIfTrue = jumpIfTrue
        self.jumpIfFalse = jumpIfFalse
        self.k = k
    }

    // The opcode bits of linux/filter.h that the knock filter uses.
    public static let classLD: UInt16 = 0x00, classLDX: UInt16 = 0x01, classJMP: UInt16 = 0x05, classRET: UInt16 = 0x06
    public static let sizeW: UInt16 = 0x00, sizeH: UInt16 = 0x08, sizeB: UInt16 = 0x10
    public static let modeABS: UInt16 = 0x20, modeIND: UInt16 = 0x40, modeMSH: UInt16 = 0xA0
    public static let jumpEQ: UInt16 = 0x10, jumpSET: UInt16 = 0x40
    public static let sourceK: UInt16 = 0x00

    /// `ldh [k]`: A = the big-endian u16 at offset k.
    public static func loadHalf(_ offset: UInt32) -> Self { Self(code: classLD | sizeH | modeABS, k: offset) }
    /// `ldb [k]`: A = the byte at offset k.
    public static func loadByte(_ offset: UInt32) -> Self { Self(code: classLD | sizeB | modeABS, k: offset) }
    /// `ldh [x + k]`.
    public static func loadHalfIndexed(_ offset: UInt32) -> Self { Self(code: classLD | sizeH | modeIND, k: offset) }
    /// `ldxb 4*([k]&0xf)`: X = the IPv4 header length, read from its IHL nibble.
    public static func loadIPv4HeaderLength(_ offset: UInt32) -> Self { Self(code: classLDX | sizeB | modeMSH, k: offset) }
    /// `jeq #k`.
    public static func jumpIfEqual(_ value: UInt32, true jt: UInt8, false jf: UInt8) -> Self {
        Self(code: classJMP | jumpEQ | sourceK, jumpIfTrue: jt, jumpIfFalse: jf, k: value)
    }
    /// `jset #k`: jumps to `true` when A & k != 0.
    public static func jumpIfAnySet(_ mask: UInt32, true jt: UInt8, false jf: UInt8) -> Self {
        Self(code: classJMP | jumpSET | sourceK, jumpIfTrue: jt, jumpIfFalse: jf, k: mask)
    }
    /// `ret #k`: deliver the first k bytes of the frame (0 drops it).
    public static func returnLength(_ length: UInt32) -> Self { Self(code: classRET | sourceK, k: length) }

    /// In the `{ code, jt, jf, k }` notation of `tcpdump -dd`.
    public var description: String {
        "{ 0x\(String(code, radix: 16)), \(jumpIfTrue), \(jumpIfFalse), 0x\(String(k, radix: 16)) }"
    }
}
