import HyperionCrypto
import Testing
@testable import HyperionConfig

/// The keys a running managed daemon keeps for servers added later (issue 18, item 3).
@Suite struct ClientKeyBookTests {
    static let header = """
        admin_static_key_file = "admin.key"

        [key]
        source = "passphrase"
        salt = "0123456789abcdef"

        """

    static func server(_ name: String, _ last: Int, extra: String = "") -> String {
        """

        [[server]]
        name = "\(name)"
        addr = "192.0.2.\(last):8443"
        server_pubkey = "\(Fixtures.serverA)"
        \(extra)

        """
    }

    func config(_ text: String) throws -> ClientConfig {
        try ClientConfig.parse(text: text, path: "/etc/hyperion/client.toml", allowingNoServers: true)
    }

    @Test func theFleetKeyIsDerivedOnceEvenWithNoServerAndServesServersAddedLater() throws {
        let deriver = CountingDeriver()
        let prompt = ScriptedPrompt(.success("pass phrase"))
        let resolver = KeySourceResolver(environment: FakeEnvironment().secretEnvironment, askPassphrase: prompt.ask, derive: deriver.derive)
        let book = try ClientKeyBook(config: config(Self.header), resolver: resolver)
        #expect(deriver.calls.count == 1 && prompt.prompts.count == 1)

        let later = try config(Self.header + Self.server("web1", 10) + Self.server("db1", 11))
        let keys = try book.keys(for: later)
        let expected = CountingDeriver.expectedKey(passphrase: "pass phrase", salt: "0123456789abcdef").rawBytes
        #expect(keys.count == 2 && keys.values.allSatisfy { $0.rawBytes == expected })
        #expect(deriver.calls.count == 1 && prompt.prompts.count == 1, "nothing asked again")
    }

    @Test func aNewOverrideOrAChangedFleetKeyNeedsARestart() throws {
        let environment = FakeEnvironment()
        let resolver = KeySourceResolver(
            environment: environment.secretEnvironment, askPassphrase: ScriptedPrompt(.success("p")).ask, derive: CountingDeriver().derive
        )
        let book = try ClientKeyBook(config: config(Self.header + Self.server("web1", 10)), resolver: resolver)
        let override = try config(Self.header + Self.server("web1", 10) + Self.server("db1", 11, extra: "key_env = \"DB1_PSK\""))
        #expect { try book.keys(for: override) } throws: { error in
            let message = (error as? ConfigError)?.message ?? ""
            return message.contains("db1") && message.contains("down, then up")
        }
        let resalted = try config(Self.header.replacingOccurrences(of: "0123456789abcdef", with: "fedcba9876543210") + Self.server("web1", 10))
        #expect(throws: ConfigError.self) { try book.keys(for: resalted) }
        #expect(!book.sameFleet(as: resalted))
    }
}
