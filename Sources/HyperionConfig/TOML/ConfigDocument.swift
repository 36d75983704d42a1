import TOMLKit

/// A config file's text turned into its top-level `TableReader`.
enum ConfigDocument {
    /// Parses `text` as TOML. `file` names the text in errors.
    static func parse(_ text: String, file: String) throws -> TableReader {
        try screen(text, file: file)
        do {
            return TableReader(try TOMLTable(string: text), file: file, place: nil)
        } catch let error as TOMLParseError {
            throw syntaxError(error, file: file)
        }
    }

    /// Reads the config file at `path` and parses it.
    static func load(path: String) throws -> TableReader {
        try parse(ConfigFileText.contents(at: path), file: path)
    }

    /// Refuses what must not reach toml++: oversized text, NUL bytes (TOMLKit passes a C string, so a NUL
    /// would silently end the document; TOML forbids them anyway) and the shapes
    /// `TOMLPreflight` knows to break the parser.
    private static func screen(_ text: String, file: String) throws {
        guard text.utf8.count <= ConfigFileText.maximumSize else {
            throw ConfigError(.unreadable, file: file, "larger than \(ConfigFileText.maximumSize) bytes; this is not a Hyperion config file")
        }
        let bytes = Array(text.utf8)
        if let offset = bytes.firstIndex(of: 0) {
            let (line, column) = position(of: offset, in: bytes)
            throw ConfigError(.syntax, file: file, "line \(line), column \(column): a NUL byte; a config file is plain UTF-8 text")
        }
        guard let finding = TOMLPreflight.check(text) else { return }
        let (line, column) = position(of: finding.offset, in: bytes)
        // A real syntax error before the finding is the better message. The text before
        // the finding passed the screen, so toml++ may see it; running out of text there
        // is only the cut's doing and says nothing.
        let before = String(decoding: bytes[..<finding.offset], as: UTF8.self)
        do {
            _ = try TOMLTable(string: before)
        } catch let error as TOMLParseError
            where error.source.begin.line < line && !error.description.contains("end-of-file") {
            throw syntaxError(error, file: file)
        } catch {}
        throw ConfigError(.syntax, file: file, "line \(line), column \(column): \(finding.reason)")
    }

    private static func syntaxError(_ error: TOMLParseError, file: String) -> ConfigError {
        let begin = error.source.begin
        return ConfigError(.syntax, file: file, "line \(begin.line), column \(begin.column): not valid TOML: \(error.description)")
    }

    /// The 1-based line and column (in characters) of a UTF-8 offset.
    private static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        let before = bytes[..<offset]
        let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let line = before.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        let column = bytes[lineStart..<offset].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
        return (line, column)
    }
}
