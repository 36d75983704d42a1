import FuzzSupport
import HyperionDNS

// The client daemon's DNS responder (issue 18): the input is one datagram, as it would
// arrive on port 53. What comes back is read with a parser of this file's own, sharing no
// code with the module, and checked; a violation traps, which libFuzzer reports as a crash.

/// The names the responder knows: both families, one family, and a dotted name (whose
/// middle label is an empty non-terminal).
enum Setup {
    static let records: [String: DNSRecords] = [
        "web1": DNSRecords(ipv4: [10, 99, 0, 10], ipv6: [0xFD, 0x68] + [UInt8](repeating: 0, count: 13) + [10]),
        "v4": DNSRecords(ipv4: [10, 99, 0, 11]),
        "v6": DNSRecords(ipv6: [0xFD, 0x68] + [UInt8](repeating: 0, count: 13) + [12]),
        "db.prod": DNSRecords(ipv4: [10, 99, 0, 13], ipv6: [0xFD, 0x68] + [UInt8](repeating: 0, count: 13) + [13]),
    ]
    static let responder = DNSResponder(records: records)
}

/// A strict reader of a response: counts match the sections, nothing trails, names follow
/// compression pointers only backwards (so it always ends).
struct Response {
    struct Record {
        var name: [[UInt8]]
        var type: UInt16
        var data: [UInt8]
    }

    var id: UInt16 = 0
    var flags: UInt16 = 0
    var question: ArraySlice<UInt8>?
    var questionName: [[UInt8]] = []
    var records: [[Record]] = [[], [], []]

    init?(_ bytes: [UInt8]) {
        var offset = 0
        func u16() -> UInt16? {
            guard offset + 2 <= bytes.count else { return nil }
            defer { offset += 2 }
            return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        }
        guard let id = u16(), let flags = u16(), let qd = u16(), let an = u16(), let ns = u16(), let ar = u16(), qd <= 1 else { return nil }
        self.id = id
        self.flags = flags
        if qd == 1 {
            let start = offset
            guard let name = Self.name(bytes, &offset), u16() != nil, u16() != nil else { return nil }
            questionName = name
            question = bytes[start..<offset]
        }
        for (section, count) in [an, ns, ar].enumerated() {
            for _ in 0..<count {
                guard let name = Self.name(bytes, &offset), let type = u16(), u16() != nil, u16() != nil, u16() != nil,
                      let length = u16(), offset + Int(length) <= bytes.count
                else { return nil }
                records[section].append(Record(name: name, type: type, data: Array(bytes[offset..<offset + Int(length)])))
                offset += Int(length)
            }
        }
        guard offset == bytes.count else { return nil }
    }

    /// Labels lower-cased, root excluded.
    static func name(_ bytes: [UInt8], _ offset: inout Int) -> [[UInt8]]? {
        var labels: [[UInt8]] = []
        var position = offset
        var jumped = false
        while position < bytes.count {
            let length = Int(bytes[position])
            if length >= 0xC0 {
                guard position + 1 < bytes.count else { return nil }
                let target = (length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < position else { return nil }
                if !jumped { offset = position + 2 }
                jumped = true
                position = target
            } else if length == 0 {
                if !jumped { offset = position + 1 }
                return labels
            } else {
                guard length < 64, position + 1 + length <= bytes.count else { return nil }
                labels.append(bytes[position + 1...position + length].map { (65...90).contains($0) ? $0 + 32 : $0 })
                position += 1 + length
            }
        }
        return nil
    }
}

@main enum Main {
    static func main() { FuzzDriver.run(fuzz) }
}

func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = FuzzReader(data, size)
    let query = reader.rest()
    let answer = Setup.responder.respond(to: query)
    let isQuery = query.count >= 12 && query[2] & 0x80 == 0
    precondition((answer != nil) == isQuery, "answered a datagram that is not a query, or dropped one that is")
    guard let answer else { return 0 }
    precondition(answer.count <= 512, "an answer over 512 bytes")
    precondition(Setup.responder.respond(to: query) == answer, "two answers to one query")
    guard let response = Response(answer) else { preconditionFailure("the answer does not parse") }
    precondition(response.id == UInt16(query[0]) << 8 | UInt16(query[1]), "another ID")
    precondition(response.flags & 0x8000 != 0 && response.flags & 0x0280 == 0, "QR clear, or TC or RA set")
    precondition(response.flags & 0x7900 == UInt16(query[2] & 0x79) << 8, "opcode or RD not echoed")
    if let question = response.question {
        precondition(question.count <= query.count - 12 && query[12..<12 + question.count].elementsEqual(question), "another question")
    }
    let code = response.flags & 0xF
    if code == 0, !response.records[0].isEmpty {
        // Answers are for the name asked, with that name's addresses.
        let name = response.questionName
        precondition(name.count >= 1 && name.last == Array("hyperion".utf8), "an answer outside the zone")
        let relative = name.dropLast().map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
        for record in response.records[0] {
            precondition(record.name == name, "an answer for another name")
            switch record.type {
            case 1: precondition(record.data == Setup.records[relative]?.ipv4, "a wrong IPv4 address")
            case 28: precondition(record.data == Setup.records[relative]?.ipv6, "a wrong IPv6 address")
            case 6: precondition(name.count == 1, "a SOA answer below the apex")
            default: preconditionFailure("an answer of type \(record.type)")
            }
        }
    }
    if code == 3 || code == 5 { precondition(response.records[0].isEmpty, "NXDOMAIN or REFUSED with answers") }
    // Its own answer is a response, which it drops.
    precondition(Setup.responder.respond(to: answer) == nil, "answered a response")
    return 0
}
