/// The 12-byte header of RFC 1035 §4.1.1: the fields a responder reads or echoes.
struct DNSHeader: Equatable {
    static let length = 12

    var id: UInt16
    var flags: UInt16
    var questionCount: UInt16
    var answerCount: UInt16
    var authorityCount: UInt16
    var additionalCount: UInt16

    var isResponse: Bool { flags & 0x8000 != 0 }
    var opcode: UInt8 { UInt8(flags >> 11 & 0x0F) }
    var recursionDesired: Bool { flags & 0x0100 != 0 }
    /// RFC 4035 §3.1.6: a non-validating responder copies CD into its answer.
    var checkingDisabled: Bool { flags & 0x0010 != 0 }

    /// The header of `bytes`, or nil when fewer than 12 bytes arrived.
    init?(_ bytes: [UInt8]) {
        var reader = WireReader(bytes)
        guard bytes.count >= Self.length,
              let id = try? reader.u16(), let flags = try? reader.u16(),
              let questions = try? reader.u16(), let answers = try? reader.u16(),
              let authority = try? reader.u16(), let additional = try? reader.u16()
        else { return nil }
        self.init(id: id, flags: flags, questionCount: questions, answerCount: answers,
                  authorityCount: authority, additionalCount: additional)
    }

    init(id: UInt16, flags: UInt16, questionCount: UInt16, answerCount: UInt16, authorityCount: UInt16, additionalCount: UInt16) {
        self.id = id
        self.flags = flags
        self.questionCount = questionCount
        self.answerCount = answerCount
        self.authorityCount = authorityCount
        self.additionalCount = additionalCount
    }

    /// The header of the answer to `query`: QR set, the opcode, RD and CD copied, AA as
    /// given, RA clear (this server never recurses), TC clear (answers fit in 512 bytes).
    static func response(to query: DNSHeader, code: ResponseCode, authoritative: Bool) -> DNSHeader {
        var flags: UInt16 = 0x8000 | UInt16(query.opcode) << 11 | UInt16(code.rawValue & 0x0F)
        if authoritative { flags |= 0x0400 }
        if query.recursionDesired { flags |= 0x0100 }
        if query.checkingDisabled { flags |= 0x0010 }
        return DNSHeader(id: query.id, flags: flags, questionCount: 0, answerCount: 0, authorityCount: 0, additionalCount: 0)
    }

    func write(into bytes: inout [UInt8]) {
        for field in [id, flags, questionCount, answerCount, authorityCount, additionalCount] {
            bytes.append(UInt8(field >> 8))
            bytes.append(UInt8(field & 0xFF))
        }
    }
}
