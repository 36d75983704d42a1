/// Reads a fuzz input front to back as a script of choices. Past the end every read is
/// zero, so any prefix of an input is itself a complete script and libFuzzer's mutations
/// (truncation, insertion) keep inputs meaningful.
public struct FuzzReader {
    public let bytes: UnsafeBufferPointer<UInt8>
    public private(set) var index = 0

    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = UnsafeBufferPointer(start: size > 0 ? data : nil, count: size)
    }

    public var atEnd: Bool { index >= bytes.count }
    public var remaining: Int { max(0, bytes.count - index) }

    public mutating func u8() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    public mutating func u16() -> UInt16 { UInt16(u8()) << 8 | UInt16(u8()) }
    public mutating func u32() -> UInt32 { UInt32(u16()) << 16 | UInt32(u16()) }
    public mutating func u64() -> UInt64 { UInt64(u32()) << 32 | UInt64(u32()) }

    /// `count` bytes, zero-filled past the end.
    public mutating func take(_ count: Int) -> [UInt8] {
        let available = min(max(0, count), remaining)
        var result = Array(bytes[index..<index + available])
        index += available
        // A copy, not a loop of u8(): a byte-wise loop under the fuzzer's comparison
        // tracing cost more than some targets' own work.
        if available < count { result += repeatElement(0, count: count - available) }
        return result
    }

    /// Everything not read yet.
    public mutating func rest() -> [UInt8] { take(remaining) }
}
