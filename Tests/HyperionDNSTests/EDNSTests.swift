@testable import HyperionDNS
import Testing

/// RFC 6891: an OPT in the query gets an OPT in the answer (version 0, payload size 512,
/// DO clear, no options); none gets none; another version gets BADVERS.
@Suite struct EDNSTests {
    func expectOPT(_ response: ParsedResponse, upperCode: UInt8 = 0, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.additional.count == 1, sourceLocation: sourceLocation)
        guard let opt = response.opt else { return }
        #expect(opt.name == "" && opt.recordClass == 512 && opt.data.isEmpty, sourceLocation: sourceLocation)
        #expect(opt.ttl == UInt32(upperCode) << 24, "version 0, DO clear", sourceLocation: sourceLocation)
    }

    @Test func optInOptOut() throws {
        for query in [TestQuery(edns: (0, [])), TestQuery(name: "nope.hyperion", edns: (0, [])),
                      TestQuery(name: "example.com", edns: (0, [])), TestQuery(type: TestQuery.mx, edns: (0, [])),
                      TestQuery(recordClass: 3, edns: (0, []))] {
            let response = try #require(Fixture.ask(query))
            expectOPT(response)
        }
        let answered = try #require(Fixture.ask(TestQuery(type: TestQuery.any, edns: (0, []))))
        #expect(answered.answers.count == 2 && answered.code == 0)
    }

    @Test func noOptNoOpt() throws {
        for query in [TestQuery(), TestQuery(name: "nope.hyperion"), TestQuery(name: "example.com")] {
            #expect(try #require(Fixture.ask(query)).additional.isEmpty)
        }
    }

    /// Options this responder does not implement (a cookie, padding, client subnet) are
    /// ignored, and the DO bit is not echoed: nothing here is signed.
    @Test func optionsAndFlagsIgnored() throws {
        let cookie: [UInt8] = [0, 10, 0, 8] + (1...8)
        let padding: [UInt8] = [0, 12, 0, 4, 0, 0, 0, 0]
        let subnet: [UInt8] = [0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2]
        let response = try #require(Fixture.ask(TestQuery(edns: (0, cookie + padding + subnet))))
        #expect(response.code == 0 && response.answers.count == 1)
        expectOPT(response)
        var withDO = TestQuery(edns: (0, [])).bytes()
        withDO[withDO.count - 4] = 0x80  // the DO bit in the OPT's TTL
        expectOPT(try #require(Fixture.ask(withDO)))
    }

    @Test func otherVersionsGetBadVersion() throws {
        for version: UInt8 in [1, 2, 255] {
            let query = TestQuery(edns: (version, []))
            let response = try #require(Fixture.ask(query))
            #expect(response.code == 16)
            #expect(response.flags & 0xF == 0, "BADVERS is 16: 0 in the header, 1 in the OPT")
            #expect(response.answers.isEmpty && !response.authoritative)
            #expect(response.question == query.question)
            expectOPT(response, upperCode: 1)
        }
        #expect(Fixture.responder.reply(to: TestQuery(edns: (1, [])).bytes())?.outcome == .unsupported)
    }

    @Test func twoOptRecordsAreFormatError() throws {
        let opt: [UInt8] = [0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 0]
        let response = try #require(Fixture.ask(TestQuery(edns: (0, []), extraAdditional: [opt]).bytes()))
        #expect(response.code == 1 && response.question == nil)
    }

    @Test func optOwnedByAnotherNameIsFormatError() throws {
        var query = TestQuery(edns: (0, [])).bytes()
        query.insert(contentsOf: [1, UInt8(ascii: "x")], at: query.count - 11)
        #expect(Fixture.ask(query)?.code == 1)
        var pointer = TestQuery(edns: (0, [])).bytes()
        pointer.replaceSubrange(pointer.count - 11..<pointer.count - 10, with: [0xC0, 12])
        #expect(Fixture.ask(pointer)?.code == 1)
    }

    /// Options must fill the OPT's RDATA exactly.
    @Test func malformedOptionsAreFormatError() throws {
        for options: [[UInt8]] in [[[0, 10, 0, 9] + (1...8)], [[0, 10, 0]], [[0, 10, 0, 2, 1]]] {
            #expect(Fixture.ask(TestQuery(edns: (0, options[0]))).map(\.code) == 1, "\(options[0])")
        }
    }

    /// Another additional record (a TSIG, say, which this responder cannot check) is
    /// skipped, even with a compressed owner name; the answer is unsigned.
    @Test func otherAdditionalRecordsSkipped() throws {
        let tsigLike: [UInt8] = [0xC0, 12, 0, 250, 0, 255, 0, 0, 0, 0, 0, 3, 1, 2, 3]
        let response = try #require(Fixture.ask(TestQuery(edns: (0, []), extraAdditional: [tsigLike]).bytes()))
        #expect(response.code == 0 && response.answers.count == 1)
        expectOPT(response)
        let beforeOPT = try #require(Fixture.ask(TestQuery(extraAdditional: [tsigLike, [0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 0]]).bytes()))
        expectOPT(beforeOPT)
        let cut = try #require(Fixture.ask(TestQuery(extraAdditional: [Array(tsigLike.dropLast())]).bytes()))
        #expect(cut.code == 1)
    }
}
