/// Builds query datagrams field by field, so that each test states what it changes.
struct TestQuery {
    var id: UInt16 = 0x1234
    var flags: UInt16 = 0x0100  // RD, as stub resolvers send
    var name = "web1.hyperion"
    var type: UInt16 = 1
    var recordClass: UInt16 = 1
    /// An OPT record in the additional section: EDNS version and the options' bytes.
    var edns: (version: UInt8, options: [UInt8])?
    /// Counts as sent, when a test wants them to disagree with the sections.
    var questionCount: UInt16 = 1
    var answerCount: UInt16 = 0
    var authorityCount: UInt16 = 0
    /// Records after the OPT, as raw bytes, counted in ARCOUNT.
    var extraAdditional: [[UInt8]] = []

    static let a: UInt16 = 1, aaaa: UInt16 = 28, soa: UInt16 = 6, mx: UInt16 = 15, txt: UInt16 = 16, any: UInt16 = 255

    /// `name` as labels on the wire; "" and "." are the root.
    static func wireName(_ name: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for label in name.split(separator: ".") {
            bytes.append(UInt8(label.utf8.count))
            bytes += label.utf8
        }
        return bytes + [0]
    }

    var question: [UInt8] { Self.wireName(name) + Self.u16(type) + Self.u16(recordClass) }

    func bytes() -> [UInt8] {
        let additional = (edns == nil ? 0 : 1) + extraAdditional.count
        var bytes = Self.u16(id) + Self.u16(flags) + Self.u16(questionCount) + Self.u16(answerCount)
            + Self.u16(authorityCount) + Self.u16(UInt16(additional))
        bytes += question
        if let edns {
            bytes += [0] + Self.u16(41) + Self.u16(1232) + [0, edns.version, 0, 0] + Self.u16(UInt16(edns.options.count)) + edns.options
        }
        for record in extraAdditional { bytes += record }
        return bytes
    }

    static func u16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
}

extension [UInt8] {
    init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self = bytes
    }
}
