import Testing
@testable import HyperionConfig

/// Inputs that crashed toml++ 3.4.0 under TOMLKit (found with libFuzzer on toml++ and with
/// `ConfigFuzzTests`), kept as regression tests: each must come back as a syntax error.
@Suite struct TOMLPreflightTests {
    static let crashers: [(String, String)] = [
        // parse_key(): a table header whose first character is not a key character.
        ("header [~", "[~"),
        ("header [[ ~", "[[ ~"),
        ("header after a pair", "a = 1\n\t[\t$%T8D"),
        ("header [#", "[#\u{5}"),
        ("header [<<", "[<<\n"),
        // parse_time(): a date, T, then no digit.
        ("date T letter", "d = 3958-05-27Tp7:3"),
        ("date T colon", "d = 1979-05-27T:"),
        ("date in array", "d = [1979-05-27Tx7:32]"),
        ("date in inline table", "d = {a=1979-05-27Tz:}"),
        ("date in a broken config", "#c = \"'d\" }\nd = 3958-05-27Tp7:3"),
        // parse_value() scan: a date-shaped value, a space, one digit, then the value's end.
        ("date-shaped then digit", "e5=1879-09-5l 1 J'0b"),
        ("date then digit", "s =1979-05-27 3\n"),
        // parse_value(): `}` where an array value belongs.
        ("array then }", "a = [}"),
        ("array comma }", "''= [44, 8,}\" e5licty= "),
        ("nested array }", "a = [ [}"),
        ("array newline }", "a = [\n}"),
        ("array comment }", "a = [ # c\n}]"),
        ("array in inline table }", "a = {b = [}]}"),
        // Recursive destruction of very deep tables: stack overflow.
        ("deep dotted key", String(repeating: "a.", count: 50_000) + "b = 1"),
        ("deep header", "[" + String(repeating: "a.", count: 50_000) + "b]"),
        ("deep key in inline table", "x = {" + String(repeating: "a.", count: 50_000) + "b = 1}"),
    ]

    @Test(arguments: crashers)
    func crasherIsASyntaxError(name: String, text: String) {
        for parse in [{ _ = try ServerConfig.parse(text: text, path: "crash.toml") }, { _ = try ClientConfig.parse(text: text, path: "crash.toml") }] {
            expectConfigError(.syntax, mentioning: ["crash.toml", "line "]) { try parse() }
        }
    }

    @Test func findingsNameTheSpot() {
        #expect(TOMLPreflight.check("a = 1\n\n  [ ~]")?.offset == 11)
        #expect(TOMLPreflight.check("a = 1\nd = 1979-05-27T:")?.reason.contains("date or time") == true)
        #expect(TOMLPreflight.check("k = [1,\n  }")?.offset == 10)
        expectConfigError(.syntax, mentioning: ["c.toml: line 3, column 5:", "table header must start with a key"]) {
            try ClientConfig.parse(text: "a = 1\n\n  [ ~]", path: "c.toml")
        }
    }

    @Test func nulEscapesAreRefused() {
        expectConfigError(.syntax, mentioning: ["line 5, column 20", "NUL"]) {
            try ServerConfig.parse(text: Fixtures.server(key: "source = \"passphrase\"\nsalt = \"long-enough\\u0000cut\""), path: "s.toml")
        }
        expectConfigError(.syntax, mentioning: ["NUL"]) {
            try ServerConfig.parse(text: "\"listen\\U00000000x\" = \"0.0.0.0:1\"", path: "s.toml")
        }
        expectConfigError(.syntax, mentioning: ["line 2, column 1", "NUL"]) {
            try ServerConfig.parse(text: "a = \"\"\"\n\\u0000\"\"\"", path: "s.toml")
        }
        #expect(TOMLPreflight.check("a = '\\u0000'") == nil, "literal strings have no escapes")
        #expect(TOMLPreflight.check("a = \"\\\\u0000\"") == nil, "an escaped backslash, then text")
    }

    @Test func anEarlierRealSyntaxErrorWins() {
        expectConfigError(.syntax, mentioning: ["line 1, column", "not valid TOML"]) {
            try ServerConfig.parse(text: "a = = 1\n[~", path: "s.toml")
        }
    }

    @Test func limits() {
        #expect(TOMLPreflight.check(String(repeating: "a.", count: 7) + "b = 1") == nil)
        #expect(TOMLPreflight.check(String(repeating: "a.", count: 8) + "b = 1") != nil)
        #expect(TOMLPreflight.check("a = " + String(repeating: "[", count: 32) + String(repeating: "]", count: 32)) == nil)
        #expect(TOMLPreflight.check("a = " + String(repeating: "[", count: 33) + String(repeating: "]", count: 33)) != nil)
    }

    /// The screen must not fire inside strings and comments, or on ordinary TOML.
    @Test(arguments: [
        "s = \"[~ 1979-05-27Tx: [}\"",
        "s = '[~ a = [}'",
        "s = \"\"\"\n[~\n1979-05-27Tx:\na = [}\n\"\"\"",
        "s = '''\n[~\n'''",
        "s = \"\"\"a\"\"\"\"\"\n[ok]",
        "s = \"esc \\\" [} \"",
        "# [~ a = [} 1979-05-27Tx:\na = 1",
        "a = [ # [~ }\n 1, # ]\n 2 ]",
        "[ \"quoted key\" ]\n[ 'lit' . bare ]\n[[ arr ]]",
        "a = { b = 1, c = [1, {d = 2}] }",
        "key.source = \"env\"",
        "a = [\n  [1, 2],\n  [3]\n]",
        "n = -1\nf = 1.5e3\nb = true\ni = inf\nh = 0x1F",
        "[a]\n[ b ]\n",
    ])
    func ordinaryTOMLPasses(text: String) {
        #expect(TOMLPreflight.check(text) == nil, "\(text.debugDescription)")
    }

    @Test func multiLineSaltFullConfig() throws {
        let key = "source = \"passphrase\"\nsalt = \"\"\"\n[~\n1979-05-27Tx:\n\"\"\""
        let config = try ServerConfig.parse(text: Fixtures.server(key: key), path: "s.toml")
        #expect(config.key == .passphrase(salt: "[~\n1979-05-27Tx:\n", passphraseEnvironment: nil))
    }
}
