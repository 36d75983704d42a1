import HyperionCrypto
import Testing
@testable import HyperionConfig

#if canImport(Glibc)
import Glibc
#endif

/// Key errors say what is wrong and what to do, and name where the key was configured
/// (issue 15). Before, 44 characters that were not a key said "expected 44 characters of
/// standard base64, got 44", and key-file errors named neither the config file nor the key
/// that points at the key file.
@Suite struct KeyErrorMessageTests {
    static let valid = X25519SecretKey.generate().publicKey.base64
    static let fortyFourLetters = String(repeating: "A", count: 44)

    @Test(arguments: [
        ("", "it is empty"),
        (String(repeating: "A", count: 44), "it would be 33 bytes"),
        (String(repeating: "A", count: 42) + "==", "it would be 31 bytes"),
        (String(valid.dropLast()), "it is 43 characters long; a key is 44 (32 bytes in standard base64), so the final = is probably missing"),
        (String(valid.dropLast(5)), "it is 39 characters long; a key is 44"),
        (String(repeating: "-", count: 43) + "=", "URL-safe base64"),
        (String(repeating: "A", count: 42) + "!=", "a character that base64 does not use"),
        (String(repeating: "A", count: 40) + "é!!=", "3 characters that base64 does not use"),
        (String(repeating: "A", count: 21) + " " + String(repeating: "A", count: 21) + "=", "spaces or line breaks inside"),
    ])
    func whatIsWrongWithKeyText(text: String, expected: String) {
        let problem = KeyTextProblem.describe(text)
        #expect(problem?.contains(expected) == true, "\(text.debugDescription): \(problem ?? "nil")")
    }

    @Test func aValidKeyHasNoProblem() {
        #expect(KeyTextProblem.describe(Self.valid) == nil)
        #expect(KeyTextProblem.describe("  \(Self.valid)\n") == nil, "surrounding whitespace is ignored, as the decoder does")
    }

    @Test func aFortyFourCharacterServerPubkeyThatIsNoKeySaysWhy() {
        let text = Fixtures.client(servers: """
            [[server]]
            name          = "srvA"
            addr          = "127.0.0.1:8443"
            server_pubkey = "\(Self.fortyFourLetters)"
            """)
        let error = expectConfigError(.invalidValue, mentioning: [
            "client.toml", "server_pubkey", "is not a valid key", "33 bytes", "ends in exactly one =", "hyperion-server keygen",
        ]) { try ClientConfig.parse(text: text, path: "client.toml") }
        #expect(error?.message.contains("got 44") == false, "\(error?.message ?? "")")
    }

    @Test func aFortyFourCharacterAdminPubkeyThatIsNoKeySaysWhy() {
        let text = Fixtures.server(identity: """
            static_key_file = "server.key"
            admin_pubkeys   = ["\(Self.fortyFourLetters)"]
            """)
        let error = expectConfigError(.invalidValue, mentioning: [
            "server.toml", "admin_pubkeys[0]", "is not a valid key", "33 bytes", "hyperion-client keygen",
        ]) { try ServerConfig.parse(text: text, path: "server.toml") }
        #expect(error?.message.contains("got 44") == false, "\(error?.message ?? "")")
    }

    @Test func anInlinePSKThatIsNoKeySaysWhyWithoutShowingIt() {
        let secret = String(repeating: "s", count: 42) + "=="
        let error = expectConfigError(.invalidValue, mentioning: ["value in [key]", "is not a valid key", "31 bytes", "openssl rand -base64 32"]) {
            try ClientConfig.parse(text: Fixtures.client(key: "source = \"value\"\nvalue = \"\(secret)\""), path: "client.toml")
        }
        #expect(error?.message.contains(secret) == false)
    }

    // MARK: key files

    static let directory: String = {
        let directory = "/tmp/hyperion-key-error-tests-\(getpid())"
        mkdir(directory, 0o700)
        return directory
    }()

    private func clientConfig(keyFile: String) throws -> ClientConfig {
        try ClientConfig.parse(text: Fixtures.client(top: "admin_static_key_file = \"\(keyFile)\""), path: Self.directory + "/client.toml")
    }

    private func serverConfig(keyFile: String) throws -> ServerConfig {
        try ServerConfig.parse(text: Fixtures.server(identity: """
            static_key_file = "\(keyFile)"
            admin_pubkeys   = ["\(Fixtures.admin)"]
            """), path: Self.directory + "/server.toml")
    }

    private func secretFile(_ name: String, _ text: String, mode: mode_t = 0o600) throws -> String {
        let path = Self.directory + "/" + name
        unlink(path)
        try SecretFile.createText(text, at: path, what: "test key")
        chmod(path, mode)
        return path
    }

    @Test func aMissingKeyFileNamesTheConfigAndTheKey() throws {
        let config = try clientConfig(keyFile: "missing.key")
        expectConfigError(.unreadable, mentioning: [
            Self.directory + "/client.toml: admin_static_key_file:", Self.directory + "/missing.key", "No such file", "hyperion-client keygen --out",
        ]) { try config.readAdminKey() }
        let server = try serverConfig(keyFile: "missing.key")
        expectConfigError(.unreadable, mentioning: [
            Self.directory + "/server.toml: static_key_file in [identity]:", Self.directory + "/missing.key", "hyperion-server keygen --out",
        ]) { try server.readServerKey() }
    }

    @Test func aKeyFileOthersCanReadNamesTheConfigAndTheKey() throws {
        let path = try secretFile("open.key", X25519SecretKey.generate().base64 + "\n", mode: 0o644)
        let config = try clientConfig(keyFile: "open.key")
        expectConfigError(.insecureFile, mentioning: [Self.directory + "/client.toml: admin_static_key_file:", path, "0644", "chmod 600"]) {
            try config.readAdminKey()
        }
    }

    @Test func aKeyFileWithoutAKeyNamesTheConfigAndTheKeyButNotTheContent() throws {
        let content = String(repeating: "k", count: 44)
        let path = try secretFile("garbage.key", content + "\n")
        let server = try serverConfig(keyFile: "garbage.key")
        let error = expectConfigError(.invalidValue, mentioning: [
            Self.directory + "/server.toml: static_key_file in [identity]:", path, "is not a valid key", "33 bytes", "hyperion-server keygen --out",
        ]) { try server.readServerKey() }
        #expect(error?.message.contains(content) == false)
    }

    @Test func aGoodKeyFileIsRead() throws {
        let key = X25519SecretKey.generate()
        _ = try secretFile("good.key", key.base64 + "\n")
        #expect(try clientConfig(keyFile: "good.key").readAdminKey().publicKey == key.publicKey)
        #expect(try serverConfig(keyFile: "good.key").readServerKey().publicKey == key.publicKey)
    }
}
