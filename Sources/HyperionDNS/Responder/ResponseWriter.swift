/// Builds an answer: the header last (its counts are known only at the end), the question
/// copied from the query at the same offset, records whose owner names are compression
/// pointers into that question.
struct ResponseWriter {
    /// Every answer fits in the 512 bytes of RFC 1035 §4.2.1, so TC is never set: the
    /// largest is a 255-byte name with an A, an AAAA and an OPT, about 330 bytes.
    static let maximumLength = 512
    /// Where the question starts in a query and in its answer.
    static let questionOffset = DNSHeader.length

    private var header: DNSHeader
    private var body: [UInt8] = []

    init(header: DNSHeader) {
        self.header = header
        body.reserveCapacity(Self.maximumLength - DNSHeader.length)
    }

    mutating func question(_ bytes: ArraySlice<UInt8>) {
        precondition(body.isEmpty, "the question comes first")
        body += bytes
        header.questionCount = 1
    }

    /// An A or AAAA record owned by the question's name.
    mutating func answer(type: UInt16, ttl: UInt32, address: [UInt8]) {
        record(owner: Self.questionOffset, type: type, ttl: ttl, data: address)
        header.answerCount += 1
    }

    /// The zone's SOA record, owned by the apex that starts at `apexOffset` in the
    /// question, in the answer section or (for NXDOMAIN and NODATA) the authority section.
    mutating func soa(apexOffset: Int, ttl: UInt32, inAnswer: Bool) {
        let apex = Self.pointer(apexOffset)
        // MNAME is the apex itself, RNAME hostmaster.<apex>; serial 1 (no zone transfers
        // use it); refresh, retry and expire unused without secondaries; MINIMUM is the
        // TTL of negative answers (RFC 2308 §4), as short as that of the addresses.
        var data = apex
        data += [10] + Array("hostmaster".utf8) + apex
        for value: UInt32 in [1, 3600, 600, 86400, ttl] { data += Self.bytes(value) }
        record(owner: apexOffset, type: RecordType.soa, ttl: ttl, data: data)
        if inAnswer { header.answerCount += 1 } else { header.authorityCount += 1 }
    }

    mutating func opt(code: ResponseCode) {
        EDNSRequest.writeResponse(code: code, into: &body)
        header.additionalCount += 1
    }

    func finish() -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(DNSHeader.length + body.count)
        header.write(into: &bytes)
        bytes += body
        assert(bytes.count <= Self.maximumLength, "an answer over 512 bytes")
        return bytes
    }

    private mutating func record(owner: Int, type: UInt16, ttl: UInt32, data: [UInt8]) {
        body += Self.pointer(owner)
        body += [UInt8(type >> 8), UInt8(type & 0xFF), 0, UInt8(RecordClass.internet)]
        body += Self.bytes(ttl)
        body += [UInt8(data.count >> 8), UInt8(data.count & 0xFF)]
        body += data
    }

    /// A compression pointer (RFC 1035 §4.1.4); offsets here are inside the question,
    /// far below the pointer's 14-bit limit.
    private static func pointer(_ offset: Int) -> [UInt8] {
        [0xC0 | UInt8(offset >> 8), UInt8(offset & 0xFF)]
    }

    private static func bytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
