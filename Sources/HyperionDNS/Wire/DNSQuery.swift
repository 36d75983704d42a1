/// A standard query as the responder needs it: the header, the one question, and the OPT
/// record if there was one.
struct DNSQuery {
    var header: DNSHeader
    var name: QuestionName
    var type: UInt16
    var recordClass: UInt16
    /// The question exactly as it arrived (name in its original case, type, class), echoed
    /// in the answer: resolvers that randomise the case of names (0x20) compare it.
    var questionBytes: ArraySlice<UInt8>
    var edns: EDNSRequest?
}

/// What a datagram is, read in the order RFC 1035 and RFC 6891 give the rules.
enum ParsedDatagram {
    /// Not a query to answer: too short for a header, or a response (answering those
    /// could make two servers answer each other forever).
    case drop
    case notImplemented(DNSHeader)
    case formatError(DNSHeader, MessageProblem)
    case query(DNSQuery)

    init(_ bytes: [UInt8]) {
        guard let header = DNSHeader(bytes), !header.isResponse else {
            self = .drop
            return
        }
        guard header.opcode == 0 else {
            self = .notImplemented(header)
            return
        }
        do {
            self = .query(try Self.readQuery(bytes, header: header))
        } catch {
            self = .formatError(header, error)
        }
    }

    private static func readQuery(_ bytes: [UInt8], header: DNSHeader) throws(MessageProblem) -> DNSQuery {
        guard header.questionCount == 1 else { throw .questionCount }
        // A query carries no answers and no authority (UPDATE and NOTIFY, which do, are
        // other opcodes).
        guard header.answerCount == 0, header.authorityCount == 0 else { throw .recordsInQuery }
        var reader = WireReader(bytes, offset: DNSHeader.length)
        let name = try QuestionName.read(&reader)
        let type = try reader.u16()
        let recordClass = try reader.u16()
        let questionBytes = bytes[DNSHeader.length..<reader.offset]
        var edns: EDNSRequest?
        for _ in 0..<header.additionalCount {
            if let opt = try readAdditional(&reader) {
                guard edns == nil else { throw .optRecord }  // RFC 6891 §6.1.1: at most one
                edns = opt
            }
        }
        guard reader.atEnd else { throw .trailingBytes }
        return DNSQuery(header: header, name: name, type: type, recordClass: recordClass, questionBytes: questionBytes, edns: edns)
    }

    /// One additional record: an OPT is read, anything else (a TSIG this responder cannot
    /// check, say) is skipped. The loop that calls this ends because every record takes at
    /// least 11 bytes of a datagram that has an end.
    private static func readAdditional(_ reader: inout WireReader) throws(MessageProblem) -> EDNSRequest? {
        let ownerIsRoot = try skipName(&reader)
        let type = try reader.u16()
        if type == RecordType.opt {
            guard ownerIsRoot else { throw .optRecord }
            return try EDNSRequest.read(&reader)
        }
        try reader.skip(2 + 4)  // class, TTL
        try reader.skip(Int(try reader.u16()))
        return nil
    }

    /// Skips an owner name that may end in a compression pointer (not followed: nothing
    /// here needs the name). Returns whether it was the root name.
    private static func skipName(_ reader: inout WireReader) throws(MessageProblem) -> Bool {
        var length = 0
        while true {
            let byte = try reader.u8()
            switch byte & 0xC0 {
            case 0xC0:
                _ = try reader.u8()
                return false
            case 0x40, 0x80: throw .labelType
            default: break
            }
            if byte == 0 { return length == 0 }
            length += 1 + Int(byte)
            guard length < QuestionName.maximumWireLength else { throw .nameTooLong }
            try reader.skip(Int(byte))
        }
    }
}
