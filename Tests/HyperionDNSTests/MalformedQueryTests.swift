@testable import HyperionDNS
import Testing

/// What is not a valid query: dropped when the header cannot be read or is a response,
/// otherwise FORMERR (or NOTIMP for another opcode), header only. Nothing traps, and
/// nothing is read past the datagram.
@Suite struct MalformedQueryTests {
    func expectHeaderOnly(_ bytes: [UInt8], code: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let response = Fixture.ask(bytes, sourceLocation: sourceLocation) else { return }
        #expect(response.code == code, sourceLocation: sourceLocation)
        #expect(!response.authoritative, sourceLocation: sourceLocation)
        #expect(response.question == nil && response.answers.isEmpty && response.authority.isEmpty && response.additional.isEmpty,
                sourceLocation: sourceLocation)
        #expect(response.opcode == UInt16(bytes[2] >> 3 & 0xF), "the opcode is echoed", sourceLocation: sourceLocation)
        #expect(response.recursionDesired == (bytes[2] & 1 == 1), sourceLocation: sourceLocation)
    }

    @Test func shorterThanAHeaderIsDropped() {
        let query = TestQuery().bytes()
        for length in 0..<12 {
            #expect(Fixture.responder.respond(to: Array(query[0..<length])) == nil, "\(length) bytes")
        }
        #expect(Fixture.responder.reply(to: Array(query[0..<12]))?.outcome == .formatError, "a bare header is readable")
    }

    /// A response is never answered: two servers could otherwise answer each other forever.
    @Test func responsesAreDropped() throws {
        #expect(Fixture.responder.respond(to: TestQuery(flags: 0x8100).bytes()) == nil)
        #expect(Fixture.responder.respond(to: TestQuery(flags: 0x8000, questionCount: 0).bytes()) == nil)
        // Its own answers included.
        let answer = try #require(Fixture.responder.respond(to: TestQuery().bytes()))
        #expect(Fixture.responder.respond(to: answer) == nil)
    }

    @Test func otherOpcodesNotImplemented() {
        // IQUERY, STATUS, NOTIFY, UPDATE, and an unassigned one.
        for opcode: UInt16 in [1, 2, 4, 5, 15] {
            expectHeaderOnly(TestQuery(flags: opcode << 11 | 0x0100).bytes(), code: 4)
        }
        #expect(Fixture.responder.reply(to: TestQuery(flags: 5 << 11).bytes())?.outcome == .unsupported)
    }

    @Test func questionCountMustBeOne() {
        expectHeaderOnly(TestQuery(questionCount: 0).bytes(), code: 1)
        expectHeaderOnly(TestQuery(questionCount: 2).bytes(), code: 1)
        var two = TestQuery(questionCount: 2).bytes()
        two += TestQuery(name: "v4only.hyperion").question
        expectHeaderOnly(two, code: 1)
        expectHeaderOnly(TestQuery(questionCount: 0xFFFF).bytes(), code: 1)
    }

    @Test func answersOrAuthorityInAQuery() {
        expectHeaderOnly(TestQuery(answerCount: 1).bytes(), code: 1)
        expectHeaderOnly(TestQuery(authorityCount: 1).bytes(), code: 1)
    }

    /// Nothing precedes the question, so a compression pointer in it is invalid.
    @Test func compressionPointerInTheQuestion() {
        var query = TestQuery().bytes()
        query.replaceSubrange(17..<26, with: [0xC0, 12])  // web1 then a pointer to itself
        expectHeaderOnly(query, code: 1)
        var atStart = TestQuery().bytes()
        atStart.replaceSubrange(12..<27, with: [0xC0, 0])
        expectHeaderOnly(atStart, code: 1)
    }

    /// 0x40 and 0x80 are the obsolete extended label types; a label of 64 or more is one.
    @Test func labelTypesAndLongLabels() {
        for first: UInt8 in [0x40, 0x41, 0x80, 0xBF] {
            var query = TestQuery().bytes()
            query[12] = first
            expectHeaderOnly(query, code: 1)
        }
        let longest = String(repeating: "a", count: 63)
        #expect(Fixture.ask(TestQuery(name: "\(longest).hyperion"))?.code == 3, "a 63-byte label is fine")
        var tooLong = TestQuery(name: "\(longest).hyperion").bytes()
        tooLong.insert(UInt8(ascii: "a"), at: 13)
        tooLong[12] = 64
        expectHeaderOnly(tooLong, code: 1)
    }

    /// 255 bytes on the wire, root label included, and not one more (RFC 1035 §2.3.4).
    @Test func nameLength() {
        // 3 labels of 63 (192 bytes) + one of 52 (53) + "hyperion" (9) + root (1) = 255.
        let long = String(repeating: "a", count: 63)
        let at255 = [long, long, long, String(repeating: "b", count: 52), "hyperion"].joined(separator: ".")
        #expect(TestQuery.wireName(at255).count == 255)
        #expect(Fixture.ask(TestQuery(name: at255))?.code == 3)
        let at256 = [long, long, long, String(repeating: "b", count: 53), "hyperion"].joined(separator: ".")
        #expect(TestQuery.wireName(at256).count == 256)
        expectHeaderOnly(TestQuery(name: at256).bytes(), code: 1)
        // Many short labels past 255 (and past 512 bytes of datagram) stop at the limit.
        let many = Array(repeating: "a", count: 300).joined(separator: ".") + ".hyperion"
        expectHeaderOnly(TestQuery(name: many).bytes(), code: 1)
    }

    /// Every prefix of valid queries (with EDNS options too) is a truncated query: FORMERR
    /// once the header is there, never a trap or a read past the end.
    @Test func everyTruncationIsFormatError() {
        let queries = [
            TestQuery().bytes(),
            TestQuery(name: "DB.prod.hyperion", type: TestQuery.any, edns: (0, [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8])).bytes(),
        ]
        for query in queries {
            for length in 12..<query.count {
                expectHeaderOnly(Array(query[0..<length]), code: 1)
            }
        }
    }

    @Test func trailingBytes() {
        expectHeaderOnly(TestQuery().bytes() + [0], code: 1)
        expectHeaderOnly(TestQuery(edns: (0, [])).bytes() + [1, 2, 3], code: 1)
    }

    /// A datagram of one repeated byte, each value: answered or dropped, never a trap.
    @Test func uniformJunk() {
        for value in 0...255 {
            for length in [12, 13, 40, 512, 2048] {
                let bytes = [UInt8](repeating: UInt8(value), count: length)
                let reply = Fixture.responder.reply(to: bytes)
                #expect((reply == nil) == (value & 0x80 != 0), "\(value) × \(length)")
                if let reply { #expect(reply.bytes.count <= 512 && (try? ParsedResponse(reply.bytes)) != nil) }
            }
        }
    }
}
