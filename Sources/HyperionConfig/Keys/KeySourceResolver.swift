import HyperionCrypto

/// Turns a `KeySource` into the `PresharedKey` itself, at startup.
///
/// Everything that touches the outside world is injected: the environment, the passphrase
/// prompt and the Argon2id derivation (slow on purpose), so tests can count calls and never
/// need a terminal. Messages name the variable or file, never the secret.
public struct KeySourceResolver {
    /// Derives the PSK from a passphrase and a salt (PROTOCOL.md §2).
    public typealias Derivation = (_ passphrase: String, _ salt: String) throws -> PresharedKey

    public var environment: SecretEnvironment
    /// Asks the person at the terminal; the argument is the prompt.
    public var askPassphrase: (_ prompt: String) throws -> String
    public var derive: Derivation

    public init(
        environment: SecretEnvironment = .process,
        askPassphrase: @escaping (_ prompt: String) throws -> String = { try PassphrasePrompt().ask($0) },
        derive: @escaping Derivation = Argon2id.derivePresharedKey
    ) {
        self.environment = environment
        self.askPassphrase = askPassphrase
        self.derive = derive
    }

    /// The server's PSK.
    public func resolveKey(for config: ServerConfig) throws -> PresharedKey {
        try resolve(config.key, origin: "[key] of \(config.path)")
    }

    /// Each server's PSK, by server name. A source shared by several servers (usually the
    /// fleet `[key]`) is resolved once: Argon2id is slow, a prompt should come once, and an
    /// environment variable is gone after its first read. The fleet key is not touched at
    /// all when every server overrides it.
    public func resolveKeys(for config: ClientConfig) throws -> [String: PresharedKey] {
        var resolved: [KeySource: PresharedKey] = [:]
        var keys: [String: PresharedKey] = [:]
        for server in config.servers {
            let source: KeySource, origin: String
            if let override = server.keyOverride {
                source = override
                origin = "[[server]] \(Quoted(server.name)) of \(config.path)"
            } else if let fleet = config.key {
                source = fleet
                origin = "[key] of \(config.path)"
            } else {
                throw ConfigError(.missingKey, file: config.path, "[[server]] \(Quoted(server.name)) has no key_env or key_value and there is no [key]; add [key]")
            }
            if let key = resolved[source] {
                keys[server.name] = key
            } else {
                let key = try resolve(source, origin: origin)
                resolved[source] = key
                keys[server.name] = key
            }
        }
        return keys
    }

    /// The PSK from `source`. `origin` says where the source was configured, for messages,
    /// for example `[key] of /etc/hyperion/server.toml`.
    public func resolve(_ source: KeySource, origin: String) throws -> PresharedKey {
        switch source {
        case let .passphrase(salt, variable):
            return try fromPassphrase(salt: salt, variable: variable, origin: origin)
        case let .environment(variable):
            guard let text = environment.take(variable), !text.isEmpty else {
                throw ConfigError(
                    .secretUnavailable,
                    "environment variable \(variable) (for \(origin)) is not set or is empty; export the base64 PSK in it before starting"
                )
            }
            return try presharedKey(text, what: "environment variable \(variable) (for \(origin))")
        case let .file(path):
            let text = try cryptoErrorsAsConfigErrors { try SecretFile.readText(at: path, what: "PSK file (for \(origin))") }
            return try presharedKey(text, what: "the content of PSK file \(path) (for \(origin))")
        case let .value(key):
            return key
        }
    }

    private func fromPassphrase(salt: String, variable: String?, origin: String) throws -> PresharedKey {
        let passphrase: String
        if let variable {
            guard let text = environment.take(variable), !text.isEmpty else {
                throw ConfigError(
                    .secretUnavailable,
                    "environment variable \(variable), named by passphrase_env in \(origin), is not set or is empty; "
                        + "export the passphrase in it, or remove passphrase_env to be asked on the terminal"
                )
            }
            passphrase = text
        } else {
            passphrase = try askPassphrase("Passphrase for the Hyperion shared key (\(origin)): ")
            guard !passphrase.isEmpty else {
                throw ConfigError(.secretUnavailable, "the passphrase for \(origin) is empty; type the passphrase the servers were set up with")
            }
        }
        return try cryptoErrorsAsConfigErrors { try derive(passphrase, salt) }
    }

    /// A PSK from its base64 `text`; the message says what is wrong with the text, never
    /// what it is.
    private func presharedKey(_ text: String, what: String) throws -> PresharedKey {
        do {
            return try PresharedKey(base64: text, what: what)
        } catch let error as HyperionCryptoError {
            throw ConfigError(.invalidValue, KeyTextProblem.message(
                for: error, text: text, what: what, todo: "a PSK is 32 random bytes in base64 (make one with `openssl rand -base64 32`)"
            ))
        }
    }

    /// Crypto errors (a PSK file others can read) carry good messages already; this module
    /// reports them as its own error type.
    private func cryptoErrorsAsConfigErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as HyperionCryptoError {
            let kind: ConfigError.Kind = switch error.kind {
            case .insecureKeyFile: .insecureFile
            case .keyFileUnusable: .unreadable
            default: .invalidValue
            }
            throw ConfigError(kind, error.message)
        }
    }
}
