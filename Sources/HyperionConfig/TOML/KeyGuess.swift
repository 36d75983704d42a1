/// The "did you mean" of unknown-key errors: most unknown keys are typos of a known one.
enum KeyGuess {
    /// The known key closest to `key` by edit distance, if it is at most 2 edits away.
    static func closest(to key: String, among known: [String]) -> String? {
        let scored = known.map { ($0, distance(Array(key.utf8), Array($0.utf8))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2, best.1 < key.utf8.count else { return nil }
        return best.0
    }

    /// Levenshtein distance, with one row of memory. Keys are short; longer input is cut.
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let a = a.prefix(64), b = b.prefix(64)
        var row = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var diagonal = row[0]
            row[0] = i + 1
            for (j, y) in b.enumerated() {
                let substitution = diagonal + (x == y ? 0 : 1)
                diagonal = row[j + 1]
                row[j + 1] = min(substitution, row[j] + 1, row[j + 1] + 1)
            }
        }
        return row[b.count]
    }
}
