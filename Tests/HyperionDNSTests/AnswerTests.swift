@testable import HyperionDNS
import Testing

/// Known names answer with their fake addresses, authoritatively, whatever their case.
@Suite struct AnswerTests {
    @Test func aRecord() throws {
        let response = try #require(Fixture.ask(TestQuery(type: TestQuery.a)))
        #expect(response.code == 0)
        #expect(response.authoritative)
        #expect(response.question == TestQuery(type: TestQuery.a).question)
        #expect(response.answers == [ParsedResponse.Record(name: "web1.hyperion", type: 1, recordClass: 1, ttl: 5, data: Fixture.web1v4, dataOffset: response.answers.first?.dataOffset ?? 0)])
        #expect(response.authority.isEmpty && response.additional.isEmpty)
    }

    @Test func aaaaRecord() throws {
        let response = try #require(Fixture.ask(TestQuery(type: TestQuery.aaaa)))
        #expect(response.code == 0 && response.authoritative)
        #expect(response.answers.map(\.type) == [28])
        #expect(response.answers.map(\.data) == [Fixture.web1v6])
        #expect(response.answers.map(\.name) == ["web1.hyperion"])
    }

    /// ANY gets both addresses (not NOTIMP): small, and what a person typing `dig ANY` means.
    @Test func anyGivesBoth() throws {
        let response = try #require(Fixture.ask(TestQuery(type: TestQuery.any)))
        #expect(response.code == 0)
        #expect(response.answers.map(\.type) == [1, 28])
        #expect(response.answers.map(\.data) == [Fixture.web1v4, Fixture.web1v6])
        let v4only = try #require(Fixture.ask(TestQuery(name: "v4only.hyperion", type: TestQuery.any)))
        #expect(v4only.answers.map(\.data) == [[10, 99, 0, 11]])
    }

    /// RFC 4343: the name matches in any case, and the question comes back as it was
    /// sent (resolvers that randomise the case compare it).
    @Test func caseInsensitiveAndQuestionEchoed() throws {
        for name in ["WEB1.HYPERION", "Web1.Hyperion", "wEb1.hYpErIoN", "web1.hyperion."] {
            let query = TestQuery(name: name)
            let response = try #require(Fixture.ask(query))
            #expect(response.code == 0, "\(name)")
            #expect(response.question == query.question, "\(name)")
            #expect(response.answers.map(\.data) == [Fixture.web1v4], "\(name)")
        }
        // The records' table is case-insensitive too.
        let mixed = DNSResponder(records: ["Web1": DNSRecords(ipv4: [10, 99, 0, 20])])
        #expect(Fixture.ask(TestQuery(name: "web1.hyperion"), mixed)?.answers.map(\.data) == [[10, 99, 0, 20]])
    }

    @Test func idsEchoed() throws {
        for id: UInt16 in [0, 1, 0x1234, 0x8000, 0xFFFF] {
            let response = try #require(Fixture.ask(TestQuery(id: id)))
            #expect(response.id == id)
        }
        // And on every other kind of answer.
        for query in [TestQuery(id: 0xBEEF, name: "nope.hyperion"), TestQuery(id: 0xBEEF, name: "example.com"),
                      TestQuery(id: 0xBEEF, flags: 0x2800), TestQuery(id: 0xBEEF, questionCount: 2)] {
            #expect(Fixture.responder.respond(to: query.bytes()).map { Array($0[0..<2]) } == [0xBE, 0xEF])
        }
    }

    /// RD and CD are copied; AA is set; RA, TC, AD and Z are clear; the opcode is QUERY.
    @Test func headerFlags() throws {
        let withRD = try #require(Fixture.ask(TestQuery(flags: 0x0100)))
        #expect(withRD.recursionDesired && withRD.authoritative && !withRD.authenticData)
        #expect(withRD.flags & 0x0040 == 0, "Z is zero")
        let withoutRD = try #require(Fixture.ask(TestQuery(flags: 0x0000)))
        #expect(!withoutRD.recursionDesired && withoutRD.authoritative)
        // dig sets AD in queries; CD asks a validator not to check.
        let adAndCD = try #require(Fixture.ask(TestQuery(flags: 0x0130)))
        #expect(adAndCD.checkingDisabled && !adAndCD.authenticData && adAndCD.recursionDesired)
        #expect(adAndCD.flags == 0x8510, "QR, AA, RD, CD and nothing else")
    }

    @Test func dottedServerName() throws {
        let response = try #require(Fixture.ask(TestQuery(name: "DB.prod.hyperion")))
        #expect(response.answers.map(\.name) == ["db.prod.hyperion"])
        #expect(response.answers.map(\.data) == [[10, 99, 0, 13]])
    }

    @Test func ttlIsTheResponders() throws {
        let responder = DNSResponder(ttl: 30, records: Fixture.records)
        let response = try #require(Fixture.ask(TestQuery(type: TestQuery.any), responder))
        #expect(response.answers.map(\.ttl) == [30, 30])
    }

    /// Queries as dig 9.18 sent them (captured on loopback): with EDNS and a cookie, and
    /// with +noedns.
    @Test func digQueries() throws {
        let withCookie = [UInt8](hex: "0c24012000010000000000010457656231084879706572696f6e000001000100002904d000000000000c000a00087a7f27aa3d3d347e")
        let response = try #require(Fixture.ask(withCookie))
        #expect(response.id == 0x0C24 && response.code == 0)
        #expect(response.answers.map(\.data) == [Fixture.web1v4])
        #expect(response.opt != nil, "EDNS in, EDNS out")
        #expect(response.question == Array(withCookie[12..<31]), "Web1.Hyperion echoed as sent")

        let plain = [UInt8](hex: "0ea8012000010000000000000477656231086879706572696f6e00001c0001")
        let aaaa = try #require(Fixture.ask(plain))
        #expect(aaaa.answers.map(\.data) == [Fixture.web1v6])
        #expect(aaaa.additional.isEmpty, "no EDNS in, none out")

        let outside = [UInt8](hex: "ae8701200001000000000001076578616d706c6503636f6d000001000100002904d0000000000000")
        #expect(Fixture.ask(outside)?.code == 5)
    }
}
