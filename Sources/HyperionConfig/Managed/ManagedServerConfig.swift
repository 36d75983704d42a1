import HyperionCrypto

/// The server config that `hyperion-server init` writes: plain `server.toml`.
public enum ManagedServerConfig {
    /// The key file `init` makes next to the config.
    public static let keyFileName = "server.key"

    /// What `init` was given, each checked with its own message.
    public struct Options: Sendable, Hashable {
        public var salt: String
        public var adminKey: String
        /// `--allow`: comma-separated ports, possibly empty (every stream denied).
        public var allow: String?
        public var listen: String?

        public init(salt: String, adminKey: String, allow: String?, listen: String?) {
            self.salt = salt
            self.adminKey = adminKey
            self.allow = allow
            self.listen = listen
        }
    }

    /// The config text for `options`, or the first thing wrong with them. The text is
    /// parsed back before it is returned, so `init` never writes a config `run` refuses.
    public static func text(_ options: Options, path: String) throws -> String {
        guard options.salt.utf8.count >= KeySource.minimumSaltBytes else {
            throw ConfigError(.invalidValue, "--salt is \(options.salt.utf8.count) bytes; it must be the salt `hyperion-client init` printed (at least \(KeySource.minimumSaltBytes) bytes)")
        }
        guard options.salt.utf8.count <= 1024, options.salt.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw ConfigError(.invalidValue, "--salt has control characters or is longer than 1024 bytes; paste the salt `hyperion-client init` printed")
        }
        let adminKey: X25519PublicKey
        do {
            adminKey = try X25519PublicKey(base64: options.adminKey, what: "--admin-key")
        } catch let error as HyperionCryptoError {
            throw ConfigError(.invalidValue, KeyTextProblem.message(
                for: error, text: options.adminKey, what: "--admin-key", todo: "paste the admin public key that `hyperion-client init` printed"
            ))
        }
        let ports = try allowedPorts(options.allow)
        let listen = options.listen ?? "0.0.0.0:8443"
        do {
            _ = try SocketAddress(parsing: listen)
        } catch {
            throw ConfigError(.invalidValue, "--listen \(Quoted(listen)) \(error.reason); write it as IP:PORT, for example 0.0.0.0:8443 or [::]:8443")
        }
        let text = """
            # Hyperion server config, made by `hyperion-server init`.

            # Where the tunnel accepts TCP. The firewall (`hyperion-server print-firewall`) keeps
            # this port closed except to addresses that knocked.
            listen = \(TOMLText.string(listen))

            # The shared key: the same passphrase and salt as the admin's client. The passphrase
            # is asked for when the server starts, or read from the variable named by
            # passphrase_env.
            [key]
            source = "passphrase"
            salt = \(TOMLText.string(options.salt))

            [identity]
            static_key_file = \(TOMLText.string(keyFileName))
            admin_pubkeys = [\(TOMLText.string(adminKey.base64))]

            # The ports of this host's 127.0.0.1 that a tunnel stream may reach; nothing else.
            [egress]
            allow = [\(ports.map(String.init).joined(separator: ", "))]

            # Single packet authorization: a valid knock adds its sender to the firewall's set.
            [knock]
            enabled = true

            """
        _ = try ServerConfig.parse(text: text, path: path)
        return text
    }

    /// `--allow 22,5432`: distinct ports 1...65535.
    static func allowedPorts(_ text: String?) throws -> [UInt16] {
        guard let text, !text.isEmpty else { return [] }
        var ports: [UInt16] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let start = item.drop(while: \.isWhitespace)
            let trimmed = start.lastIndex(where: { !$0.isWhitespace }).map { start[...$0] } ?? ""
            guard let port = UInt16(trimmed), port > 0 else {
                throw ConfigError(.invalidValue, "--allow \(Quoted(text)): \(Quoted(String(trimmed))) is not a port 1-65535; write ports separated by commas, for example 22,5432")
            }
            guard !ports.contains(port) else {
                throw ConfigError(.duplicate, "--allow \(Quoted(text)) lists port \(port) twice; list each port once")
            }
            ports.append(port)
        }
        return ports
    }
}
