@testable import HyperionDNS
import Testing

/// The table of names: what counts as a name, and a new table replacing the old.
@Suite struct ZoneTableTests {
    @Test func replacingRecords() throws {
        let before = DNSResponder(records: ["web1": DNSRecords(ipv4: [10, 99, 0, 10])])
        let after = before.replacingRecords(["web2": DNSRecords(ipv4: [10, 99, 0, 11])])
        #expect(after.zone == before.zone && after.ttl == before.ttl)
        #expect(Fixture.ask(TestQuery(name: "web1.hyperion"), before)?.answers.map(\.data) == [[10, 99, 0, 10]])
        #expect(Fixture.ask(TestQuery(name: "web1.hyperion"), after)?.code == 3)
        #expect(Fixture.ask(TestQuery(name: "web2.hyperion"), after)?.answers.map(\.data) == [[10, 99, 0, 11]])
        #expect(Fixture.ask(TestQuery(name: "web2.hyperion"), before)?.code == 3)
        #expect(Fixture.ask(TestQuery(name: "web1.hyperion"), DNSResponder())?.code == 3, "no names at all")
    }

    /// Names no query can ask for are left out rather than trapping.
    @Test func unreachableNamesLeftOut() {
        let table = ZoneTable(apex: [Array("hyperion".utf8)], records: [
            "": DNSRecords(ipv4: [1, 1, 1, 1]),
            "a..b": DNSRecords(ipv4: [1, 1, 1, 2]),
            ".a": DNSRecords(ipv4: [1, 1, 1, 3]),
            "a.": DNSRecords(ipv4: [1, 1, 1, 4]),
            String(repeating: "x", count: 64): DNSRecords(ipv4: [1, 1, 1, 5]),
            "ok": DNSRecords(ipv4: [1, 1, 1, 6]),
        ])
        #expect(table.match([Array("ok".utf8), Array("hyperion".utf8)]) == .name(DNSRecords(ipv4: [1, 1, 1, 6])))
        #expect(table.match([[UInt8](repeating: UInt8(ascii: "x"), count: 64), Array("hyperion".utf8)]) == .unknown)
        #expect(table.match([Array("a".utf8), Array("hyperion".utf8)]) == .unknown, "no empty non-terminal from a bad name")
    }

    /// Two names that differ only in case are one DNS name; the one sorting first answers,
    /// whatever order the dictionary gives.
    @Test func caseCollisionIsDeterministic() {
        for _ in 0..<20 {
            let responder = DNSResponder(records: ["web1": DNSRecords(ipv4: [2, 2, 2, 2]), "WEB1": DNSRecords(ipv4: [1, 1, 1, 1])])
            #expect(Fixture.ask(TestQuery(name: "web1.hyperion"), responder)?.answers.map(\.data) == [[1, 1, 1, 1]])
        }
    }

    /// A server named like an empty non-terminal is a name with records.
    @Test func serverAndNonTerminal() {
        let responder = DNSResponder(records: ["prod": DNSRecords(ipv4: [3, 3, 3, 3]), "db.prod": DNSRecords(ipv4: [4, 4, 4, 4])])
        #expect(Fixture.ask(TestQuery(name: "prod.hyperion"), responder)?.answers.map(\.data) == [[3, 3, 3, 3]])
        #expect(Fixture.ask(TestQuery(name: "db.prod.hyperion"), responder)?.answers.map(\.data) == [[4, 4, 4, 4]])
    }

    /// Every outcome counts once in `queries` and once in its own counter.
    @Test func statistics() {
        var statistics = DNSStatistics()
        let queries = [
            TestQuery().bytes(), TestQuery(type: TestQuery.mx).bytes(), TestQuery(name: "x.hyperion").bytes(),
            TestQuery(name: "example.com").bytes(), TestQuery(questionCount: 0).bytes(), TestQuery(flags: 0x2000).bytes(),
            TestQuery(flags: 0x8000).bytes(), [1, 2, 3],
        ]
        for query in queries { statistics.record(Fixture.responder.reply(to: query)?.outcome) }
        #expect(statistics.queries == 8)
        #expect([statistics.answered, statistics.noData, statistics.nxdomain, statistics.refused,
                 statistics.malformed, statistics.unsupported, statistics.dropped] == [1, 1, 1, 1, 1, 1, 2])
        #expect(statistics.unsent == 0)
    }
}
