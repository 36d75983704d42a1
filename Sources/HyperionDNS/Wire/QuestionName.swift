/// The name of a question, read under RFC 1035 §2.3.4 and §4.1.4: plain labels of at most
/// 63 bytes, at most 255 bytes on the wire with the final root label, and no compression
/// pointer (there is nothing before the question for one to point at).
struct QuestionName: Equatable {
    static let maximumWireLength = 255
    static let maximumLabelLength = 63

    /// The labels, ASCII letters folded to lower case (names compare case-insensitively,
    /// RFC 4343), root excluded.
    var labels: [[UInt8]]
    /// Where each label's length byte is in the datagram, for compression pointers to a
    /// suffix of the name.
    var labelOffsets: [Int]

    static func read(_ reader: inout WireReader) throws(MessageProblem) -> QuestionName {
        var name = QuestionName(labels: [], labelOffsets: [])
        let start = reader.offset
        while true {
            let labelOffset = reader.offset
            let length = try reader.u8()
            switch length & 0xC0 {
            case 0xC0: throw .compressionPointer
            case 0x40, 0x80: throw .labelType
            default: break
            }
            if length == 0 { return name }
            // This label and, at least, the root label after it.
            if reader.offset - start + Int(length) + 1 > maximumWireLength { throw .nameTooLong }
            var label = [UInt8]()
            label.reserveCapacity(Int(length))
            for _ in 0..<length { label.append(folded(try reader.u8())) }
            name.labels.append(label)
            name.labelOffsets.append(labelOffset)
        }
    }

    /// ASCII upper case to lower case; every other byte as it is (RFC 4343 §3).
    static func folded(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }
}
