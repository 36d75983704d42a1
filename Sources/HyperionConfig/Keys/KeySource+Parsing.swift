import HyperionCrypto

extension KeySource {
    static let knownKeys = ["source", "salt", "passphrase_env", "env_var", "file", "value"]

    /// The sub-keys each `source` uses; any other is a mistake worth stopping for.
    static let keysBySource: [(source: String, keys: [String])] = [
        ("passphrase", ["salt", "passphrase_env"]),
        ("env", ["env_var"]),
        ("file", ["file"]),
        ("value", ["value"]),
    ]

    /// The salt is the Argon2id salt; RFC 9106 wants at least 8 bytes.
    static let minimumSaltBytes = 8

    /// Reads a `[key]` table. Relative `file` paths resolve against `file`'s directory.
    static func parse(_ table: TableReader) throws -> KeySource {
        try table.rejectUnknownKeys(known: knownKeys)
        let sources = keysBySource.map(\.source)
        let source = try table.required(
            "source", table.string("source"),
            hint: "add source = \"passphrase\" (or \"env\", \"file\", \"value\")"
        )
        guard let uses = keysBySource.first(where: { $0.source == source })?.keys else {
            throw table.invalid("source", "is \(Quoted(source)); it must be one of \(sources.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        for key in table.table.keys.sorted() where key != "source" && !uses.contains(key) {
            throw table.error(
                .conflict,
                "\(table.placeName) sets \(key), which source = \"\(source)\" does not use; remove it "
                    + "(source = \"\(source)\" uses \(uses.joined(separator: ", ")))"
            )
        }

        switch source {
        case "passphrase":
            let salt = try table.required(
                "salt", table.string("salt"),
                hint: "add salt = \"...\" (at least 8 bytes, the same on the client and every server)"
            )
            let saltBytes = salt.utf8.count
            guard saltBytes >= minimumSaltBytes else {
                throw table.invalid("salt", "is \(saltBytes) bytes; at least \(minimumSaltBytes) are needed (use the same salt on the client and every server)")
            }
            let variable = try table.string("passphrase_env").map { try environmentName("passphrase_env", $0, in: table) }
            return .passphrase(salt: salt, passphraseEnvironment: variable)
        case "env":
            let variable = try table.required("env_var", table.string("env_var"), hint: "add env_var = \"NAME\", the environment variable that holds the base64 PSK")
            return .environment(variable: try environmentName("env_var", variable, in: table))
        case "file":
            let path = try table.required("file", table.string("file"), hint: "add file = \"psk.txt\", a file with the base64 PSK and mode 0600")
            guard !path.isEmpty else {
                throw table.invalid("file", "is empty; give the path of a file with the base64 PSK")
            }
            return .file(path: RelativePath.resolve(path, besides: table.file))
        default:
            let text = try table.required("value", table.string("value"), hint: "add value = \"<base64 PSK>\"")
            return .value(try inlineKey(text, what: table.name("value"), in: table))
        }
    }

    /// Checks an environment variable's name; the message quotes the name, never a value.
    static func environmentName(_ key: String, _ name: String, in table: TableReader) throws -> String {
        guard NameRules.isEnvironmentName(name) else {
            throw table.invalid(key, "is \(Quoted(name)), which is not an environment variable name (letters, digits and _, not starting with a digit)")
        }
        return name
    }

    /// Parses an inline base64 PSK; the message says what is wrong without showing it.
    static func inlineKey(_ text: String, what: String, in table: TableReader) throws -> PresharedKey {
        do {
            return try PresharedKey(base64: text, what: what)
        } catch let error as HyperionCryptoError {
            throw table.error(.invalidValue, KeyTextProblem.message(
                for: error, text: text, what: what, todo: "a PSK is 32 random bytes in base64 (make one with `openssl rand -base64 32`)"
            ))
        }
    }
}
