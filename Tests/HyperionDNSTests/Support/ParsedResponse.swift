/// A response read back by the tests with a parser of their own: strict (every count
/// matches its section, nothing trails) and following compression pointers only backwards,
/// so a bug in the responder's writer shows up as a parse failure here.
struct ParsedResponse {
    struct Record: Equatable {
        var name: String
        var type: UInt16
        var recordClass: UInt16
        var ttl: UInt32
        var data: [UInt8]
        /// RDATA offset in the message, to read names inside it.
        var dataOffset: Int
    }

    var id: UInt16
    var flags: UInt16
    var question: [UInt8]?
    var answers: [Record] = []
    var authority: [Record] = []
    var additional: [Record] = []
    let bytes: [UInt8]

    var isResponse: Bool { flags & 0x8000 != 0 }
    var opcode: UInt16 { flags >> 11 & 0xF }
    var authoritative: Bool { flags & 0x0400 != 0 }
    var truncated: Bool { flags & 0x0200 != 0 }
    var recursionDesired: Bool { flags & 0x0100 != 0 }
    var recursionAvailable: Bool { flags & 0x0080 != 0 }
    var checkingDisabled: Bool { flags & 0x0010 != 0 }
    var authenticData: Bool { flags & 0x0020 != 0 }
    /// The full response code, with the OPT record's upper bits (RFC 6891 §6.1.3).
    var code: Int {
        let upper = additional.first { $0.type == 41 }.map { Int($0.ttl >> 24) } ?? 0
        return upper << 4 | Int(flags & 0xF)
    }
    var opt: Record? { additional.first { $0.type == 41 } }

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        var offset = 0
        func u8() throws -> UInt8 {
            guard offset < bytes.count else { throw Failure(description: "truncated at \(offset)") }
            defer { offset += 1 }
            return bytes[offset]
        }
        func u16() throws -> UInt16 { UInt16(try u8()) << 8 | UInt16(try u8()) }
        func u32() throws -> UInt32 { UInt32(try u16()) << 16 | UInt32(try u16()) }
        id = try u16()
        flags = try u16()
        let counts = [try u16(), try u16(), try u16(), try u16()]
        if counts[0] > 1 { throw Failure(description: "\(counts[0]) questions") }
        if counts[0] == 1 {
            let start = offset
            _ = try Self.name(bytes, at: &offset)
            offset += 4
            guard offset <= bytes.count else { throw Failure(description: "truncated question") }
            question = Array(bytes[start..<offset])
        }
        func record() throws -> Record {
            let name = try Self.name(bytes, at: &offset)
            let type = try u16(), recordClass = try u16(), ttl = try u32(), length = Int(try u16())
            guard offset + length <= bytes.count else { throw Failure(description: "RDATA past the end") }
            defer { offset += length }
            return Record(name: name, type: type, recordClass: recordClass, ttl: ttl, data: Array(bytes[offset..<offset + length]), dataOffset: offset)
        }
        for _ in 0..<counts[1] { answers.append(try record()) }
        for _ in 0..<counts[2] { authority.append(try record()) }
        for _ in 0..<counts[3] { additional.append(try record()) }
        guard offset == bytes.count else { throw Failure(description: "\(bytes.count - offset) trailing bytes") }
    }

    /// A name, lower-cased and dot-separated ("" for the root), following pointers that
    /// point strictly backwards.
    static func name(_ bytes: [UInt8], at offset: inout Int) throws -> String {
        var labels: [String] = []
        var position = offset
        var jumped = false
        while true {
            guard position < bytes.count else { throw Failure(description: "name past the end") }
            let length = Int(bytes[position])
            if length & 0xC0 == 0xC0 {
                guard position + 1 < bytes.count else { throw Failure(description: "pointer past the end") }
                let target = (length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < position else { throw Failure(description: "pointer forwards") }
                if !jumped { offset = position + 2 }
                jumped = true
                position = target
                continue
            }
            guard length < 64 else { throw Failure(description: "label type \(length)") }
            if length == 0 {
                if !jumped { offset = position + 1 }
                return labels.joined(separator: ".")
            }
            guard position + 1 + length <= bytes.count else { throw Failure(description: "label past the end") }
            labels.append(String(decoding: bytes[position + 1...position + length], as: UTF8.self).lowercased())
            position += 1 + length
        }
    }
}
