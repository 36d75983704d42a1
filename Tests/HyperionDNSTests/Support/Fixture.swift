@testable import HyperionDNS
import Testing

/// The responder most tests ask: five names, one dotted, one without addresses.
enum Fixture {
    static let web1v4: [UInt8] = [10, 99, 0, 10]
    static let web1v6: [UInt8] = [0xFD, 0x68, 0x79, 0x70] + [UInt8](repeating: 0, count: 11) + [0x0A]
    static let records: [String: DNSRecords] = [
        "web1": DNSRecords(ipv4: web1v4, ipv6: web1v6),
        "v4only": DNSRecords(ipv4: [10, 99, 0, 11]),
        "bare": DNSRecords(),
        "v6only": DNSRecords(ipv6: [0xFD, 0x68, 0x79, 0x70] + [UInt8](repeating: 0, count: 11) + [0x0C]),
        "db.prod": DNSRecords(ipv4: [10, 99, 0, 13], ipv6: [0xFD, 0x68, 0x79, 0x70] + [UInt8](repeating: 0, count: 11) + [0x0D]),
    ]
    static let responder = DNSResponder(records: records)

    /// The answer to `query`, parsed; records a failure (and returns nil) when there is
    /// none or it does not parse, or when it breaks a rule every answer keeps: same ID,
    /// QR set, at most 512 bytes, TC and RA clear.
    static func ask(
        _ query: TestQuery, _ responder: DNSResponder = responder, sourceLocation: SourceLocation = #_sourceLocation
    ) -> ParsedResponse? {
        ask(query.bytes(), responder, sourceLocation: sourceLocation)
    }

    static func ask(
        _ query: [UInt8], _ responder: DNSResponder = responder, sourceLocation: SourceLocation = #_sourceLocation
    ) -> ParsedResponse? {
        guard let bytes = responder.respond(to: query) else {
            Issue.record("no answer", sourceLocation: sourceLocation)
            return nil
        }
        do {
            let response = try ParsedResponse(bytes)
            #expect(response.id == UInt16(query[0]) << 8 | UInt16(query[1]), "the ID is echoed", sourceLocation: sourceLocation)
            #expect(response.isResponse, sourceLocation: sourceLocation)
            #expect(bytes.count <= 512, sourceLocation: sourceLocation)
            #expect(!response.truncated && !response.recursionAvailable, sourceLocation: sourceLocation)
            return response
        } catch {
            Issue.record("the answer does not parse: \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// The SOA of the `hyperion` zone as the responder writes it, with TTL and MINIMUM 5.
    static func expectSOA(_ record: ParsedResponse.Record?, in response: ParsedResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let record else {
            Issue.record("no SOA", sourceLocation: sourceLocation)
            return
        }
        #expect(record.name == "hyperion" && record.type == 6 && record.recordClass == 1 && record.ttl == 5, sourceLocation: sourceLocation)
        var offset = record.dataOffset
        let mname = try? ParsedResponse.name(response.bytes, at: &offset)
        let rname = try? ParsedResponse.name(response.bytes, at: &offset)
        #expect(mname == "hyperion" && rname == "hostmaster.hyperion", sourceLocation: sourceLocation)
        #expect(offset + 20 == record.dataOffset + record.data.count, "five 32-bit fields follow", sourceLocation: sourceLocation)
        #expect(Array(response.bytes[offset + 16..<offset + 20]) == [0, 0, 0, 5], "MINIMUM is the TTL", sourceLocation: sourceLocation)
    }
}
