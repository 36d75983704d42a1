@testable import HyperionDNS
import Testing

/// NODATA, NXDOMAIN and REFUSED, each with the sections RFC 2308 and RFC 1035 give it.
@Suite struct NegativeAnswerTests {
    /// NOERROR, AA, no answer, the zone's SOA alone in the authority section.
    func expectNoData(_ query: TestQuery, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let response = Fixture.ask(query, sourceLocation: sourceLocation) else { return }
        #expect(response.code == 0 && response.authoritative, sourceLocation: sourceLocation)
        #expect(response.answers.isEmpty && response.additional.isEmpty, sourceLocation: sourceLocation)
        #expect(response.authority.count == 1, sourceLocation: sourceLocation)
        #expect(response.question == query.question, sourceLocation: sourceLocation)
        Fixture.expectSOA(response.authority.first, in: response, sourceLocation: sourceLocation)
    }

    @Test func knownNameOtherType() {
        for type in [TestQuery.mx, TestQuery.txt, TestQuery.soa, 65, 33, 12] as [UInt16] {
            expectNoData(TestQuery(type: type))
        }
    }

    @Test func knownNameMissingFamily() {
        expectNoData(TestQuery(name: "v4only.hyperion", type: TestQuery.aaaa))
        expectNoData(TestQuery(name: "v6only.hyperion", type: TestQuery.a))
        expectNoData(TestQuery(name: "bare.hyperion", type: TestQuery.any))
        #expect(Fixture.ask(TestQuery(name: "v6only.hyperion", type: TestQuery.aaaa))?.answers.count == 1)
    }

    /// The apex exists (it owns the SOA): NODATA, not NXDOMAIN, which a resolver may take
    /// to mean that no name under it exists (RFC 8020). SOA and ANY get the SOA.
    @Test func apex() throws {
        for name in ["hyperion", "HYPERION."] {
            expectNoData(TestQuery(name: name, type: TestQuery.a))
            expectNoData(TestQuery(name: name, type: TestQuery.aaaa))
            for type in [TestQuery.soa, TestQuery.any] {
                let response = try #require(Fixture.ask(TestQuery(name: name, type: type)))
                #expect(response.code == 0 && response.authoritative && response.authority.isEmpty)
                #expect(response.answers.count == 1)
                Fixture.expectSOA(response.answers.first, in: response)
            }
        }
    }

    /// `prod.hyperion` exists because `db.prod.hyperion` does.
    @Test func emptyNonTerminal() {
        expectNoData(TestQuery(name: "prod.hyperion"))
        expectNoData(TestQuery(name: "Prod.Hyperion", type: TestQuery.any))
    }

    func expectNameError(_ query: TestQuery, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let response = Fixture.ask(query, sourceLocation: sourceLocation) else { return }
        #expect(response.code == 3 && response.authoritative, sourceLocation: sourceLocation)
        #expect(response.answers.isEmpty && response.authority.count == 1, sourceLocation: sourceLocation)
        #expect(response.question == query.question, sourceLocation: sourceLocation)
        Fixture.expectSOA(response.authority.first, in: response, sourceLocation: sourceLocation)
    }

    @Test func unknownNamesInTheZone() {
        expectNameError(TestQuery(name: "web2.hyperion"))
        expectNameError(TestQuery(name: "WEB2.Hyperion", type: TestQuery.aaaa))
        // Deeper than any server name, or below a server's name.
        expectNameError(TestQuery(name: "a.b.hyperion"))
        expectNameError(TestQuery(name: "x.web1.hyperion"))
        expectNameError(TestQuery(name: "x.db.prod.hyperion"))
        expectNameError(TestQuery(name: "prod.db.hyperion"))
        // A label that holds a dot is not two labels: "db.prod" as one label is unknown.
        var oneLabel = TestQuery.wireName("x.hyperion")
        oneLabel.replaceSubrange(0..<2, with: [7] + Array("db.prod".utf8))
        var query = TestQuery().bytes()
        query.replaceSubrange(12..<27, with: oneLabel)
        #expect(Fixture.ask(query)?.code == 3)
    }

    @Test func nameErrorsForTypesWithoutRecordsToo() {
        for type in [TestQuery.a, TestQuery.aaaa, TestQuery.any, TestQuery.mx] {
            expectNameError(TestQuery(name: "missing.hyperion", type: type))
        }
    }

    /// Outside the zone: REFUSED, not authoritative, no records; this is not a resolver.
    @Test func outsideTheZone() throws {
        for name in ["example.com", "hyperion.com", "web1.hyperion.com", "xhyperion", "web1.xhyperion", "", "com", "yperion"] {
            let query = TestQuery(name: name)
            let response = try #require(Fixture.ask(query))
            #expect(response.code == 5, "\(name)")
            #expect(!response.authoritative, "\(name)")
            #expect(response.answers.isEmpty && response.authority.isEmpty, "\(name)")
            #expect(response.question == query.question, "\(name)")
        }
    }

    /// Only class IN has these names; CHAOS (`version.bind`) and others are refused.
    @Test func otherClassesRefused() throws {
        for recordClass: UInt16 in [3, 4, 255, 254] {
            let response = try #require(Fixture.ask(TestQuery(recordClass: recordClass)))
            #expect(response.code == 5 && !response.authoritative && response.answers.isEmpty)
        }
        #expect(Fixture.ask(TestQuery(name: "version.bind", type: TestQuery.txt, recordClass: 3))?.code == 5)
    }

    /// Another zone name, with a trailing dot and in capitals, is the same zone.
    @Test func otherZone() throws {
        let responder = DNSResponder(zone: "Corp.Example.", records: ["web1": DNSRecords(ipv4: [192, 0, 2, 1])])
        #expect(responder.zone == "Corp.Example.")
        #expect(Fixture.ask(TestQuery(name: "web1.corp.example"), responder)?.answers.map(\.data) == [[192, 0, 2, 1]])
        #expect(Fixture.ask(TestQuery(name: "web1.hyperion"), responder)?.code == 5)
        #expect(Fixture.ask(TestQuery(name: "example"), responder)?.code == 5)
        let nameError = try #require(Fixture.ask(TestQuery(name: "web2.CORP.example"), responder))
        #expect(nameError.code == 3 && nameError.authority.map(\.name) == ["corp.example"])
    }
}
