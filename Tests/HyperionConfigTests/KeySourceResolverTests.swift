import HyperionCrypto
import Testing
@testable import HyperionConfig
#if canImport(Glibc)
import Glibc
#endif

@Suite struct KeySourceResolverTests {
    let environment = FakeEnvironment()
    let deriver = CountingDeriver()
    let prompt = ScriptedPrompt(.success("correct horse battery staple"))

    var resolver: KeySourceResolver {
        KeySourceResolver(environment: environment.secretEnvironment, askPassphrase: prompt.ask, derive: deriver.derive)
    }

    static let psk = try! PresharedKey(base64: Fixtures.psk)

    // MARK: passphrase

    @Test func passphraseFromTheTerminal() throws {
        let key = try resolver.resolve(.passphrase(salt: "salt-1234", passphraseEnvironment: nil), origin: "[key] of s.toml")
        #expect(key.rawBytes == CountingDeriver.expectedKey(passphrase: "correct horse battery staple", salt: "salt-1234").rawBytes)
        #expect(prompt.prompts.count == 1)
        #expect(prompt.prompts[0].contains("[key] of s.toml"))
        #expect(deriver.calls.count == 1)
    }

    @Test func passphraseFromTheEnvironmentIsRemoved() throws {
        environment.variables["HV_PASS"] = "from env"
        let key = try resolver.resolve(.passphrase(salt: "salt-1234", passphraseEnvironment: "HV_PASS"), origin: "[key]")
        #expect(key.rawBytes == CountingDeriver.expectedKey(passphrase: "from env", salt: "salt-1234").rawBytes)
        #expect(environment.variables["HV_PASS"] == nil)
        #expect(environment.removed == ["HV_PASS"])
        #expect(prompt.prompts.isEmpty)
    }

    @Test func passphraseEnvNotSet() {
        expectConfigError(.secretUnavailable, mentioning: ["HV_PASS", "passphrase_env", "[key] of c.toml"]) {
            try resolver.resolve(.passphrase(salt: "salt-1234", passphraseEnvironment: "HV_PASS"), origin: "[key] of c.toml")
        }
        #expect(prompt.prompts.isEmpty && deriver.calls.isEmpty)
    }

    @Test func emptyPassphraseIsRefused() {
        prompt.answer = .success("")
        expectConfigError(.secretUnavailable, mentioning: ["passphrase", "empty"]) {
            try resolver.resolve(.passphrase(salt: "salt-1234", passphraseEnvironment: nil), origin: "[key]")
        }
        #expect(deriver.calls.isEmpty)
    }

    @Test func promptErrorsPassThrough() {
        prompt.answer = .failure(ConfigError(.noTerminal, "no terminal to ask for the passphrase"))
        expectConfigError(.noTerminal, mentioning: ["no terminal"]) {
            try resolver.resolve(.passphrase(salt: "salt-1234", passphraseEnvironment: nil), origin: "[key]")
        }
    }

    @Test func defaultDerivationIsArgon2id() {
        // Argon2id is a placeholder on this branch; whatever it does, the resolver must hand
        // it the passphrase and report its failure as a ConfigError, not crash.
        let resolver = KeySourceResolver(environment: environment.secretEnvironment, askPassphrase: prompt.ask)
        do {
            _ = try resolver.resolve(.passphrase(salt: "salt-1234", passphraseEnvironment: nil), origin: "[key]")
        } catch {
            #expect(error is ConfigError)
        }
    }

    // MARK: env

    @Test func environmentKeyIsReadAndRemoved() throws {
        environment.variables["HV_PSK"] = Fixtures.psk
        let key = try resolver.resolve(.environment(variable: "HV_PSK"), origin: "[key]")
        #expect(key.rawBytes == Self.psk.rawBytes)
        #expect(environment.variables["HV_PSK"] == nil)
    }

    @Test func environmentKeyMissingOrEmpty() {
        expectConfigError(.secretUnavailable, mentioning: ["environment variable HV_PSK", "not set"]) {
            try resolver.resolve(.environment(variable: "HV_PSK"), origin: "[key]")
        }
        environment.variables["HV_PSK"] = ""
        expectConfigError(.secretUnavailable, mentioning: ["HV_PSK", "empty"]) {
            try resolver.resolve(.environment(variable: "HV_PSK"), origin: "[key]")
        }
    }

    @Test func badBase64InTheEnvironmentIsNamedButNotShown() {
        let secret = "hunter2-hunter2-hunter2"
        environment.variables["HV_PSK"] = secret
        let error = expectConfigError(.invalidValue, mentioning: ["environment variable HV_PSK", "base64"]) {
            try resolver.resolve(.environment(variable: "HV_PSK"), origin: "[key] of c.toml")
        }
        #expect(error?.message.contains(secret) == false)
        #expect(error?.message.contains("hunter") == false)
        #expect(environment.variables["HV_PSK"] == nil, "removed even when unusable")
    }

    /// The real process environment: the variable is gone after resolving.
    @Test func processEnvironmentVariableIsUnset() throws {
        let name = "HYPERION_CONFIG_TEST_PSK_\(getpid())"
        setenv(name, Fixtures.psk, 1)
        let resolver = KeySourceResolver(askPassphrase: prompt.ask, derive: deriver.derive)
        let key = try resolver.resolve(.environment(variable: name), origin: "[key]")
        #expect(key.rawBytes == Self.psk.rawBytes)
        #expect(getenv(name) == nil)
    }

    // MARK: file and value

    @Test func fileKey() throws {
        let path = ConfigFileTests.directory + "/psk-0600.txt"
        unlink(path)
        try SecretFile.createText(Fixtures.psk + "\n", at: path, what: "PSK file")
        let key = try resolver.resolve(.file(path: path), origin: "[key]")
        #expect(key.rawBytes == Self.psk.rawBytes)
    }

    @Test func fileKeyReadableByOthersIsRefused() throws {
        let path = ConfigFileTests.directory + "/psk-0644.txt"
        unlink(path)
        try SecretFile.createText(Fixtures.psk + "\n", at: path, what: "PSK file")
        chmod(path, 0o644)
        let error = expectConfigError(.insecureFile, mentioning: [path, "0644", "chmod 600"]) {
            try resolver.resolve(.file(path: path), origin: "[key]")
        }
        #expect(error?.message.contains(Fixtures.psk) == false)
    }

    @Test func fileKeyMissingOrGarbage() throws {
        expectConfigError(.unreadable, mentioning: ["/nonexistent/psk"]) {
            try resolver.resolve(.file(path: "/nonexistent/psk"), origin: "[key]")
        }
        let path = ConfigFileTests.directory + "/psk-garbage.txt"
        unlink(path)
        try SecretFile.createText("not a key\n", at: path, what: "PSK file")
        let error = expectConfigError(.invalidValue, mentioning: [path, "base64"]) {
            try resolver.resolve(.file(path: path), origin: "[key]")
        }
        #expect(error?.message.contains("not a key") == false)
    }

    @Test func inlineValue() throws {
        let source = KeySource.value(Self.psk)
        #expect(source.isInlineValue)
        #expect(!source.description.contains(Fixtures.psk))
        #expect(try resolver.resolve(source, origin: "[key]").rawBytes == Self.psk.rawBytes)
    }

    // MARK: whole configs

    @Test func serverConfigKey() throws {
        environment.variables["PSK"] = Fixtures.psk
        let config = try ServerConfig.parse(text: Fixtures.server(key: "source = \"env\"\nenv_var = \"PSK\""), path: "server.toml")
        #expect(try resolver.resolveKey(for: config).rawBytes == Self.psk.rawBytes)
    }

    /// Eight servers on the fleet passphrase, one with its own variable, one inline: one
    /// prompt, one derivation.
    @Test func fleetKeyIsDerivedOnceForManyServers() throws {
        var servers = (1...8).map { "[[server]]\nname = \"s\($0)\"\naddr = \"10.0.0.\($0):8443\"\nserver_pubkey = \"\(Fixtures.serverA)\"\n" }
        servers.append("[[server]]\nname = \"own-env\"\naddr = \"10.0.1.1:8443\"\nserver_pubkey = \"\(Fixtures.serverB)\"\nkey_env = \"PSK_OWN\"\n")
        servers.append("[[server]]\nname = \"own-value\"\naddr = \"10.0.1.2:8443\"\nserver_pubkey = \"\(Fixtures.serverB)\"\nkey_value = \"\(Fixtures.psk)\"\n")
        let config = try ClientConfig.parse(text: Fixtures.client(servers: servers.joined(separator: "\n"), forwards: ""), path: "client.toml")
        let own = X25519SecretKey.generate().base64
        environment.variables["PSK_OWN"] = own

        let keys = try resolver.resolveKeys(for: config)

        #expect(deriver.calls.count == 1)
        #expect(prompt.prompts.count == 1)
        #expect(keys.count == 10)
        let fleet = CountingDeriver.expectedKey(passphrase: "correct horse battery staple", salt: "change-me-shared-salt")
        #expect((1...8).allSatisfy { keys["s\($0)"]?.rawBytes == fleet.rawBytes })
        #expect(keys["own-env"]?.rawBytes == (try PresharedKey(base64: own)).rawBytes)
        #expect(keys["own-value"]?.rawBytes == Self.psk.rawBytes)
        #expect(environment.variables["PSK_OWN"] == nil)
    }

    @Test func fleetKeyIsNotTouchedWhenEveryServerOverrides() throws {
        let servers = """
            [[server]]
            name = "a"
            addr = "10.0.0.1:8443"
            server_pubkey = "\(Fixtures.serverA)"
            key_env = "PSK_SHARED"
            [[server]]
            name = "b"
            addr = "10.0.0.2:8443"
            server_pubkey = "\(Fixtures.serverB)"
            key_env = "PSK_SHARED"
            """
        let config = try ClientConfig.parse(text: Fixtures.client(servers: servers, forwards: ""), path: "client.toml")
        environment.variables["PSK_SHARED"] = Fixtures.psk
        let keys = try resolver.resolveKeys(for: config)
        #expect(deriver.calls.isEmpty && prompt.prompts.isEmpty)
        #expect(keys["a"]?.rawBytes == Self.psk.rawBytes && keys["b"]?.rawBytes == Self.psk.rawBytes)
        #expect(environment.removed == ["PSK_SHARED"], "read once, though two servers use it")
    }
}
