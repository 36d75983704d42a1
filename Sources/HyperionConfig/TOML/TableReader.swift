import TOMLKit

/// One TOML table of a config file, read key by key.
///
/// The configs are walked by hand rather than decoded with `Codable` so that every unknown
/// key is an error, and every error names the file, the table and the key. A reader never
/// crashes on what it finds: each accessor checks the TOML type first and throws
/// `ConfigError` when it is wrong.
struct TableReader {
    let table: TOMLTable
    /// The config file's path, the first word of every message.
    let file: String
    /// How messages name this table: `[limits]`, `[[server]] #1 ("web1")`; nil at the top.
    let place: String?

    init(_ table: TOMLTable, file: String, place: String?) {
        self.table = table
        self.file = file
        self.place = place
    }

    /// `key` as messages name it: `pool_size in [[server]] #1 ("web1")`, or just `listen`.
    func name(_ key: String) -> String {
        guard let place else { return key }
        return "\(key) in \(place)"
    }

    /// This table as messages name it, for "… has no X" sentences.
    var placeName: String { place ?? "the top level" }

    func error(_ kind: ConfigError.Kind, _ message: String) -> ConfigError {
        ConfigError(kind, file: file, message)
    }

    /// Throws for the first key, in sorted order, that `known` does not list.
    func rejectUnknownKeys(known: [String]) throws {
        for key in table.keys.sorted() where !known.contains(key) {
            var message = "unknown key \(Quoted(key)) " + (place.map { "in \($0)" } ?? "at the top level")
            if let guess = KeyGuess.closest(to: key, among: known) {
                message += " (did you mean \"\(guess)\"?)"
            }
            message += "; known keys: \(known.joined(separator: ", "))"
            throw error(.unknownKey, message)
        }
    }

    /// The value at `key`, or nil when the table does not have it.
    func value(_ key: String) -> TOMLValue? {
        table[key]?.tomlValue
    }

    /// `value`, or a `missingKey` error that ends with `hint` (what to add).
    func required<T>(_ key: String, _ value: T?, hint: String) throws -> T {
        guard let value else {
            throw error(.missingKey, (place.map { "\($0) has no \(key)" } ?? "missing \(key)") + "; \(hint)")
        }
        return value
    }

    /// A required table: the table, or a `missingKey` error that ends with `hint`.
    func requiredTable(_ key: String, hint: String) throws -> TableReader {
        guard let table = try table(key) else {
            throw error(.missingKey, "no [\(key)] table; \(hint)")
        }
        return table
    }

    func wrongType(_ what: String, expected: String, got value: TOMLValue) -> ConfigError {
        error(.wrongType, "\(what) must be \(expected), not \(TOMLTypeName.withArticle(value.type))")
    }

    func invalid(_ key: String, _ reason: String) -> ConfigError {
        error(.invalidValue, "\(name(key)) \(reason)")
    }
}

extension TableReader {
    /// The string at `key` turned into a value by `parse`; a `ValueProblem` becomes an
    /// `invalidValue` error that quotes the text and ends with `hint`.
    func parsed<T>(
        _ key: String, _ text: String, hint: String, _ parse: (String) throws(ValueProblem) -> T
    ) throws -> T {
        do {
            return try parse(text)
        } catch let problem {
            throw error(.invalidValue, "\(name(key)) \(Quoted(text)) \(problem.reason); \(hint)")
        }
    }
}
