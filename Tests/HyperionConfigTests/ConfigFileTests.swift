import Testing
@testable import HyperionConfig
#if canImport(Glibc)
import Glibc
#endif

/// `load(path:)`: reading the file, and paths relative to it.
@Suite struct ConfigFileTests {
    static let directory: String = {
        let dir = "/tmp/hyperion-config-tests-\(getpid())"
        mkdir(dir, 0o700)
        return dir
    }()

    func write(_ bytes: [UInt8], to name: String) -> String {
        let path = Self.directory + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(fd >= 0)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return path
    }

    @Test func loadsAndResolvesRelativePaths() throws {
        let serverPath = write(Array(Fixtures.server().utf8), to: "server.toml")
        let server = try ServerConfig.load(path: serverPath)
        #expect(server.identity.staticKeyFile == Self.directory + "/server.key")
        #expect(server.path == serverPath)

        let clientPath = write(Array(Fixtures.client(key: "source = \"file\"\nfile = \"keys/psk\"").utf8), to: "client.toml")
        let client = try ClientConfig.load(path: clientPath)
        #expect(client.adminStaticKeyFile == Self.directory + "/admin.key")
        #expect(client.key == .file(path: Self.directory + "/keys/psk"))
    }

    @Test func missingFile() {
        expectConfigError(.unreadable, mentioning: ["/nonexistent/hyperion/server.toml", "cannot open"]) {
            try ServerConfig.load(path: "/nonexistent/hyperion/server.toml")
        }
    }

    @Test func directoryIsNotAConfig() {
        expectConfigError(.unreadable, mentioning: [Self.directory, "not a regular file"]) {
            try ClientConfig.load(path: Self.directory)
        }
    }

    @Test func invalidUTF8() {
        let path = write(Array("listen = \"".utf8) + [0xff, 0xfe] + Array("\"\n".utf8), to: "latin1.toml")
        expectConfigError(.unreadable, mentioning: ["latin1.toml", "UTF-8"]) { try ServerConfig.load(path: path) }
    }

    @Test func tooLarge() {
        let path = write([UInt8](repeating: UInt8(ascii: "#"), count: ConfigFileText.maximumSize + 1), to: "huge.toml")
        expectConfigError(.unreadable, mentioning: ["huge.toml", "larger than"]) { try ServerConfig.load(path: path) }
        let text = String(repeating: "#", count: ConfigFileText.maximumSize + 1)
        expectConfigError(.unreadable, mentioning: ["huge.toml", "larger than"]) { try ClientConfig.parse(text: text, path: "huge.toml") }
    }

    @Test func syntaxErrorCarriesLineAndColumn() {
        let path = write(Array("# comment\n\n[key\nsource = 1\n".utf8), to: "broken.toml")
        expectConfigError(.syntax, mentioning: ["broken.toml", "line 3, column"]) { try ClientConfig.load(path: path) }
    }

    @Test func relativePathRules() {
        #expect(RelativePath.resolve("k", besides: "c.toml") == "k")
        #expect(RelativePath.resolve("k", besides: "etc/c.toml") == "etc/k")
        #expect(RelativePath.resolve("k", besides: "/c.toml") == "/k")
        #expect(RelativePath.resolve("/abs/k", besides: "/etc/c.toml") == "/abs/k")
        #expect(RelativePath.directory(of: "/etc/hyperion/c.toml") == "/etc/hyperion")
    }
}
