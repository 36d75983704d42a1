/// Reads a datagram front to back, every read checked against its end: a field that would
/// run past the datagram is `.truncated`, never a trap and never a read beyond it.
struct WireReader {
    let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }
    var atEnd: Bool { offset >= bytes.count }

    mutating func u8() throws(MessageProblem) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(MessageProblem) -> UInt16 {
        UInt16(try u8()) << 8 | UInt16(try u8())
    }

    mutating func u32() throws(MessageProblem) -> UInt32 {
        UInt32(try u16()) << 16 | UInt32(try u16())
    }

    mutating func skip(_ count: Int) throws(MessageProblem) {
        guard count >= 0, count <= remaining else { throw .truncated }
        offset += count
    }
}

/// Why a query that has a readable header is answered with FORMERR (RFC 1035 §4.1.1).
enum MessageProblem: Error, Equatable {
    case truncated
    case questionCount
    case recordsInQuery
    /// A compression pointer where none may be (the question) or one out of place.
    case compressionPointer
    /// A label type other than a plain label (RFC 6891 §5: the extended ones are obsolete).
    case labelType
    case nameTooLong
    case trailingBytes
    case optRecord
}
