/// A lexical screen run before the text reaches TOMLKit.
///
/// TOMLKit 0.6.0 parses with toml++ 3.4.0, whose parser *asserts* some things about its
/// input instead of checking them. Fuzzing found four shapes that break it:
/// - a table header whose first character is not a key character (`[~`);
/// - date-like values followed by the wrong thing (`d = 1979-05-27Tx:`, `d = 1879-09-5l 1`);
/// - `}` where an array value belongs (`a = [1,}`);
/// - keys nested tens of thousands deep (the tree is freed recursively: stack overflow).
/// In a debug build the assertions abort the process; in a release build they become
/// optimizer assumptions, which is undefined behaviour. No valid Hyperion config has any of
/// these shapes (no setting takes a date, no key is more than two levels deep), so they are
/// refused here, with the line and column, before toml++ sees them. So are `\u0000`
/// escapes, which TOMLKit's C strings would silently cut short. `TOMLPreflightTests` keeps
/// the inputs that crashed.
///
/// The scanner follows TOML's lexical structure (strings, comments, headers, keys, values,
/// brackets) only as far as needed to find those shapes; everything else is left to toml++,
/// which stops at its first error, so the scan only has to be faithful up to there.
struct TOMLPreflight {
    /// Arrays and inline tables nested deeper than this are refused (toml++ allows 256).
    static let maximumNesting = 32
    /// Dotted keys with more parts than this are refused.
    static let maximumKeyParts = 8

    struct Finding: Error {
        let offset: Int
        let reason: String
    }

    private enum Expect { case key, value, other }

    private let bytes: [UInt8]
    private var i = 0
    private var expect = Expect.key
    /// `[` or `{` for each open array or inline table.
    private var open: [UInt8] = []

    private init(_ text: String) { bytes = Array(text.utf8) }

    /// The first shape in `text` that toml++ must not see, if any.
    static func check(_ text: String) -> Finding? {
        var scanner = TOMLPreflight(text)
        do {
            try scanner.scan()
            return nil
        } catch {
            return error
        }
    }

    private var current: UInt8? { i < bytes.count ? bytes[i] : nil }

    private func byte(at index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func scan() throws(Finding) {
        while let c = current {
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                i += 1
            case UInt8(ascii: "\n"):
                i += 1
                if open.isEmpty { expect = .key }
            case UInt8(ascii: "#"):
                while let c = current, c != UInt8(ascii: "\n") { i += 1 }
            case UInt8(ascii: "[") where expect == .key && open.isEmpty:
                try header()
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                open.append(c)
                guard open.count <= Self.maximumNesting else {
                    throw Finding(offset: i, reason: "arrays or inline tables nested more than \(Self.maximumNesting) deep")
                }
                i += 1
                expect = c == UInt8(ascii: "{") ? .key : .value
            case UInt8(ascii: "}") where expect == .value && open.last == UInt8(ascii: "["):
                throw Finding(offset: i, reason: "\"}\" where an array value or \"]\" belongs")
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                _ = open.popLast()
                i += 1
                expect = .other
            case UInt8(ascii: "="):
                i += 1
                expect = .value
            case UInt8(ascii: ","):
                i += 1
                expect = open.last == UInt8(ascii: "{") ? .key : .value
            case _ where expect == .key && (Self.isBareKeyByte(c) || Self.isQuote(c)):
                try key()
                expect = .other
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                try skipString()
                expect = .other
            case _ where expect == .value:
                try bareValue()
                expect = .other
            default:
                i += 1
            }
        }
    }

    /// `[key]` or `[[key]]` at the start of a statement.
    private mutating func header() throws(Finding) {
        i += 1
        if current == UInt8(ascii: "[") { i += 1 }
        skipBlanks()
        guard let c = current, Self.isBareKeyByte(c) || Self.isQuote(c) else {
            throw Finding(offset: i, reason: "a table header must start with a key name, as in [key] or [[server]]")
        }
        try key()
        skipBlanks()
        while current == UInt8(ascii: "]") { i += 1 }
        expect = .other
    }

    /// A possibly dotted, possibly quoted key.
    private mutating func key() throws(Finding) {
        let start = i
        var parts = 0
        while true {
            skipBlanks()
            guard let c = current else { return }
            if Self.isQuote(c) {
                try skipString()
            } else if Self.isBareKeyByte(c) {
                while let c = current, Self.isBareKeyByte(c) { i += 1 }
            } else {
                return
            }
            parts += 1
            guard parts <= Self.maximumKeyParts else {
                throw Finding(offset: start, reason: "a dotted key with more than \(Self.maximumKeyParts) parts")
            }
            skipBlanks()
            guard current == UInt8(ascii: ".") else { return }
            i += 1
        }
    }

    /// An unquoted value: refused when it is a date or a time, skipped otherwise.
    private mutating func bareValue() throws(Finding) {
        let start = i
        while let c = current, !Self.endsBareValue(c) { i += 1 }
        let token = bytes[start..<i]
        if Self.isDateOrTime(token) {
            throw Finding(offset: start, reason: "a date or time, which no Hyperion setting takes; put quotes around it if it is meant as text")
        }
        if i == start { i += 1 }
    }

    /// Skips a basic, literal, or multi-line string starting at the quote under `i`.
    private mutating func skipString() throws(Finding) {
        let quote = bytes[i]
        let escapes = quote == UInt8(ascii: "\"")
        if byte(at: i + 1) == quote && byte(at: i + 2) == quote {
            i += 3
            while let c = current {
                if escapes && c == UInt8(ascii: "\\") {
                    try refuseNULEscape()
                    i += 2
                } else if c == quote && byte(at: i + 1) == quote && byte(at: i + 2) == quote {
                    i += 3
                    // Up to two more quotes belong to the content: """a""""" is `a""`.
                    var extra = 0
                    while extra < 2 && current == quote { i += 1; extra += 1 }
                    return
                } else {
                    i += 1
                }
            }
            return
        }
        i += 1
        while let c = current, c != UInt8(ascii: "\n") {
            if escapes && c == UInt8(ascii: "\\") {
                try refuseNULEscape()
                i += 2
                continue
            }
            i += 1
            if c == quote { return }
        }
    }

    /// TOMLKit hands strings back through C, so `\u0000` would silently cut a value or a
    /// key short (a salt, a path). No setting needs a NUL character.
    private func refuseNULEscape() throws(Finding) {
        let escape = bytes[min(i + 1, bytes.count)...].prefix(9)
        if escape.starts(with: Array("u0000".utf8)) || escape.starts(with: Array("U00000000".utf8)) {
            throw Finding(offset: i, reason: "a NUL character (\\u0000) in a string; no setting takes one")
        }
    }

    private mutating func skipBlanks() {
        while let c = current, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { i += 1 }
    }

    // MARK: Character classes

    static func isBareKeyByte(_ c: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
    }

    static func isQuote(_ c: UInt8) -> Bool { c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") }

    static func endsBareValue(_ c: UInt8) -> Bool {
        [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"),
         UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "#")].contains(c)
    }

    /// Anything shaped like the start of a TOML date (`-` at offsets 4 and 7, as in
    /// `1979-05-27`) or time (`:` at offset 2, as in `07:32`), with or without a sign.
    /// Broader than valid dates on purpose: toml++ also stumbles over malformed ones such as
    /// `1879-09-5l 1`.
    static func isDateOrTime(_ token: ArraySlice<UInt8>) -> Bool {
        func shaped(_ t: ArraySlice<UInt8>) -> Bool {
            let t = Array(t.prefix(8))
            if t.count >= 8 && t[4] == UInt8(ascii: "-") && t[7] == UInt8(ascii: "-") { return true }
            return t.count >= 3 && t[2] == UInt8(ascii: ":")
        }
        return shaped(token) || shaped(token.drop { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") })
    }
}
