/// An authoritative DNS responder for one private zone (`hyperion`): bytes of a query in,
/// bytes of the answer out. No I/O, no clock, no state that a query changes; a server
/// hands it each datagram and sends back what it returns.
///
/// - `<name>.<zone>` with a known name: A and AAAA give its addresses, ANY both; any other
///   type, or a family the name lacks, is NODATA (NOERROR, no answer).
/// - The apex and the names between it and a dotted server name exist without addresses:
///   NODATA (the apex answers SOA with its SOA). Any other name in the zone is NXDOMAIN.
/// - A name outside the zone, or a class other than IN, is REFUSED: this is not a resolver.
/// - NXDOMAIN and NODATA carry the zone's SOA in the authority section, so a resolver may
///   cache the negative answer, for the same few seconds as an address (RFC 2308 §5:
///   without it, it should not cache it at all and would ask again for every lookup).
/// - Answers are authoritative (AA), copy RD and CD, never set RA or TC, and echo the
///   question as sent. Records live `ttl` seconds: addresses change when servers go.
/// - A query with an OPT record gets an OPT back (EDNS version 0, payload size 512, no
///   options); another version gets BADVERS. Answers never exceed 512 bytes.
/// - Malformed queries get FORMERR when the header could be read; other opcodes NOTIMP;
///   datagrams shorter than a header and responses get nothing.
public struct DNSResponder: Sendable {
    /// The zone as given, for messages.
    public let zone: String
    public let ttl: UInt32
    private let table: ZoneTable

    /// `records` maps a server name (`web1`, or `web1.prod`) to its addresses; names are
    /// matched case-insensitively. Traps on a zone that is not a valid domain name, or a
    /// TTL above 2^31 - 1 (RFC 2181 §8): both are constants of the caller.
    public init(zone: String = "hyperion", ttl: UInt32 = 5, records: [String: DNSRecords] = [:]) {
        let trimmed = zone.hasSuffix(".") ? String(zone.dropLast()) : zone
        guard let apex = ZoneTable.labels(trimmed), apex.reduce(1, { $0 + 1 + $1.count }) <= QuestionName.maximumWireLength else {
            preconditionFailure("the DNS zone \"\(zone)\" is not a domain name")
        }
        precondition(ttl <= UInt32(Int32.max), "a TTL is at most 2^31 - 1 seconds")
        self.zone = zone
        self.ttl = ttl
        self.table = ZoneTable(apex: apex, records: records)
    }

    /// The same responder with another set of names, for when servers are added or removed.
    public func replacingRecords(_ records: [String: DNSRecords]) -> DNSResponder {
        DNSResponder(zone: zone, ttl: ttl, records: records)
    }

    /// The answer to `query`, or nil when it gets none.
    public func respond(to query: [UInt8]) -> [UInt8]? {
        reply(to: query)?.bytes
    }

    /// The answer to `query` with its outcome, or nil when it gets none.
    public func reply(to query: [UInt8]) -> DNSReply? {
        switch ParsedDatagram(query) {
        case .drop:
            return nil
        case .notImplemented(let header):
            return DNSReply(bytes: ResponseWriter(header: .response(to: header, code: .notImplemented, authoritative: false)).finish(), outcome: .unsupported)
        case .formatError(let header, _):
            return DNSReply(bytes: ResponseWriter(header: .response(to: header, code: .formatError, authoritative: false)).finish(), outcome: .formatError)
        case .query(let query):
            return answer(query)
        }
    }

    private func answer(_ query: DNSQuery) -> DNSReply {
        if let edns = query.edns, edns.version != 0 {
            return reply(query, code: .badVersion, outcome: .unsupported)
        }
        guard query.recordClass == RecordClass.internet else {
            return reply(query, code: .refused, outcome: .refused)
        }
        let apexOffset = { query.name.labelOffsets[query.name.labels.count - table.apex.count] }
        switch table.match(query.name.labels) {
        case .outside:
            return reply(query, code: .refused, outcome: .refused)
        case .unknown:
            return reply(query, code: .nameError, outcome: .nameError, authoritative: true) { $0.soa(apexOffset: apexOffset(), ttl: ttl, inAnswer: false) }
        case .emptyNonTerminal:
            return noData(query, apexOffset: apexOffset())
        case .apex:
            guard query.type == RecordType.soa || query.type == RecordType.any else { return noData(query, apexOffset: apexOffset()) }
            return reply(query, code: .noError, outcome: .answered, authoritative: true) { $0.soa(apexOffset: apexOffset(), ttl: ttl, inAnswer: true) }
        case .name(let records):
            let wantsA = query.type == RecordType.a || query.type == RecordType.any
            let wantsAAAA = query.type == RecordType.aaaa || query.type == RecordType.any
            let a = wantsA ? records.ipv4 : nil
            let aaaa = wantsAAAA ? records.ipv6 : nil
            guard a != nil || aaaa != nil else { return noData(query, apexOffset: apexOffset()) }
            return reply(query, code: .noError, outcome: .answered, authoritative: true) { writer in
                if let a { writer.answer(type: RecordType.a, ttl: ttl, address: a) }
                if let aaaa { writer.answer(type: RecordType.aaaa, ttl: ttl, address: aaaa) }
            }
        }
    }

    private func noData(_ query: DNSQuery, apexOffset: Int) -> DNSReply {
        reply(query, code: .noError, outcome: .noData, authoritative: true) { $0.soa(apexOffset: apexOffset, ttl: ttl, inAnswer: false) }
    }

    /// An answer that echoes the question, with `records` written after it and an OPT
    /// record last when the query had one (BADVERS needs it for its upper bits).
    private func reply(
        _ query: DNSQuery, code: ResponseCode, outcome: DNSOutcome, authoritative: Bool = false,
        records: (inout ResponseWriter) -> Void = { _ in }
    ) -> DNSReply {
        var writer = ResponseWriter(header: .response(to: query.header, code: code, authoritative: authoritative))
        writer.question(query.questionBytes)
        records(&writer)
        if query.edns != nil { writer.opt(code: code) }
        return DNSReply(bytes: writer.finish(), outcome: outcome)
    }
}
