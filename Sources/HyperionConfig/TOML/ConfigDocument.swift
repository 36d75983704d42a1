import TOMLKit

/// A config file's text turned into its top-level `TableReader`.
enum ConfigDocument {
    /// Parses `text` as TOML. `file` names the text in errors.
    static func parse(_ text: String, file: String) throws -> TableReader {
        // TOMLKit hands the text to C as a NUL-terminated string, so a NUL byte would
        // silently cut the document short. TOML forbids NUL anyway.
        if let offset = text.utf8.firstIndex(of: 0) {
            let (line, column) = position(of: offset, in: text)
            throw ConfigError(
                .syntax, file: file,
                "line \(line), column \(column): a NUL byte; a config file is plain UTF-8 text"
            )
        }
        do {
            return TableReader(try TOMLTable(string: text), file: file, place: nil)
        } catch let error as TOMLParseError {
            let begin = error.source.begin
            throw ConfigError(
                .syntax, file: file,
                "line \(begin.line), column \(begin.column): not valid TOML: \(error.description)"
            )
        }
    }

    /// Reads the config file at `path` and parses it.
    static func load(path: String) throws -> TableReader {
        try parse(ConfigFileText.contents(at: path), file: path)
    }

    /// The 1-based line and column (in characters) of a UTF-8 offset.
    private static func position(of offset: String.UTF8View.Index, in text: String) -> (Int, Int) {
        let before = text[..<offset]
        let line = before.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
        let column = before.reversed().prefix { $0 != "\n" }.count + 1
        return (line, column)
    }
}
