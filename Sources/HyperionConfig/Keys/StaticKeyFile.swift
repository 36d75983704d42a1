import HyperionCrypto

extension ClientConfig {
    /// The admin's secret key, from `admin_static_key_file`. A failure names this config
    /// file and that key as well as the key file.
    public func readAdminKey() throws -> X25519SecretKey {
        try StaticKeyFile.read(adminStaticKeyFile, config: path, key: "admin_static_key_file", role: "admin", keygen: "hyperion-client keygen")
    }
}

extension ServerConfig {
    /// The server's secret key, from `static_key_file` in `[identity]`. A failure names this
    /// config file and that key as well as the key file.
    public func readServerKey() throws -> X25519SecretKey {
        try StaticKeyFile.read(
            identity.staticKeyFile, config: path, key: "static_key_file in [identity]", role: "server", keygen: "hyperion-server keygen"
        )
    }
}

/// Reads a static key file named by a config, with messages that start with the config
/// file and the key that points at the key file: the key file's own path alone does not
/// tell which setting to fix.
enum StaticKeyFile {
    static func read(_ file: String, config: String, key: String, role: String, keygen: String) throws -> X25519SecretKey {
        let what = "the \(role) key file"
        let text: String
        do {
            text = try SecretFile.readText(at: file, what: what)
        } catch let error as HyperionCryptoError {
            if error.kind == .insecureKeyFile {
                throw ConfigError(.insecureFile, file: config, "\(key): \(error.message)")
            }
            throw ConfigError(
                .unreadable, file: config,
                "\(key): \(error.message); point \(key) at the \(role)'s key file (`\(keygen) --out FILE` makes a new key)"
            )
        }
        do {
            return try X25519SecretKey(base64: text, what: "\(what) \(file)")
        } catch let error as HyperionCryptoError {
            throw ConfigError(.invalidValue, file: config, "\(key): " + KeyTextProblem.message(
                for: error, text: text, what: "\(what) \(file)",
                todo: "it must hold the secret key that `\(keygen) --out FILE` writes, not a public key"
            ))
        }
    }
}
