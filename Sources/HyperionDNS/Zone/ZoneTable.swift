/// The names of one zone, folded to lower case and split into labels once per table, so
/// that answering a query is a dictionary lookup.
///
/// A server name may contain dots (`web1.prod`): it becomes two labels under the zone, and
/// the names between it and the apex (`prod.hyperion`) are empty non-terminals, which exist
/// without records. They get NODATA, not NXDOMAIN: a resolver may take an NXDOMAIN as proof
/// that nothing below the name exists either (RFC 8020) and stop asking for
/// `web1.prod.hyperion`. The apex is an existing name for the same reason.
struct ZoneTable {
    typealias Labels = [[UInt8]]

    enum Match: Equatable {
        case outside
        case apex
        case name(DNSRecords)
        case emptyNonTerminal
        case unknown
    }

    let apex: Labels
    private let names: [Labels: DNSRecords]
    private let emptyNonTerminals: Set<Labels>

    /// Names that cannot be DNS names (an empty label, a label over 63 bytes, over 255
    /// bytes in all with the zone) are left out: no query can ask for them. When two names
    /// differ only in case, the one that sorts first (in bytes) answers.
    init(apex: Labels, records: [String: DNSRecords]) {
        self.apex = apex
        let apexLength = apex.reduce(1) { $0 + 1 + $1.count }
        var names: [Labels: DNSRecords] = [:]
        var emptyNonTerminals = Set<Labels>()
        for (name, record) in records.sorted(by: { Array($0.key.utf8).lexicographicallyPrecedes($1.key.utf8) }) {
            guard let labels = Self.labels(name), labels.reduce(apexLength, { $0 + 1 + $1.count }) <= QuestionName.maximumWireLength,
                  names[labels] == nil
            else { continue }
            names[labels] = record
            for start in 1..<labels.count { emptyNonTerminals.insert(Array(labels[start...])) }
        }
        self.names = names
        self.emptyNonTerminals = emptyNonTerminals.subtracting(names.keys)
    }

    /// `text` split at dots and folded, or nil when a label is empty or too long.
    static func labels(_ text: String) -> Labels? {
        let labels = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.allSatisfy({ !$0.isEmpty && $0.count <= QuestionName.maximumLabelLength }) else { return nil }
        return labels.map { $0.map(QuestionName.folded) }
    }

    func match(_ labels: Labels) -> Match {
        guard labels.count >= apex.count, labels.suffix(apex.count).elementsEqual(apex) else { return .outside }
        let relative = Array(labels.dropLast(apex.count))
        if relative.isEmpty { return .apex }
        if let records = names[relative] { return .name(records) }
        return emptyNonTerminals.contains(relative) ? .emptyNonTerminal : .unknown
    }
}
