import HyperionCrypto

/// One `[[server]]` table of `client.toml`.
enum ServerEntryParser {
    static let keys = ["name", "addr", "server_pubkey", "key_env", "key_value", "pool_size", "knock_port", "fake_ip", "fake_ip6"]

    static func parse(_ table: TableReader) throws -> ClientConfig.Server {
        try table.rejectUnknownKeys(known: keys)
        let name = try table.required("name", table.string("name"), hint: "add name = \"web1\"")
        guard NameRules.isServerName(name) else {
            throw table.invalid("name", "is \(Quoted(name)); a server name is 1-63 letters, digits, \".\", \"_\" or \"-\", starting with a letter or digit")
        }
        let addrText = try table.required("addr", table.string("addr"), hint: "add addr = \"host:port\", for example \"203.0.113.10:8443\"")
        let address = try table.parsed(
            "addr", addrText, hint: "write it as \"host:port\", for example \"203.0.113.10:8443\"", HostAndPort.init(parsing:)
        )
        let keyText = try table.required(
            "server_pubkey", table.string("server_pubkey"),
            hint: "add server_pubkey = \"<the public key printed by `hyperion-server keygen`>\""
        )
        let publicKey: X25519PublicKey
        do {
            publicKey = try X25519PublicKey(base64: keyText, what: table.name("server_pubkey"))
        } catch let error as HyperionCryptoError {
            throw table.error(.invalidValue, KeyTextProblem.message(
                for: error, text: keyText, what: table.name("server_pubkey"), todo: "paste the public key that `hyperion-server keygen` printed"
            ))
        }
        return ClientConfig.Server(
            name: name,
            address: address,
            publicKey: publicKey,
            keyOverride: try keyOverride(table),
            poolSize: try table.integer("pool_size", in: 1...16) ?? 2,
            knockPort: try table.port("knock_port") ?? address.port,
            fakeAddress: try table.string("fake_ip").map { try TunParser.address(table, "fake_ip", $0, family: .v4, example: "10.99.0.10") },
            fakeAddress6: try table.string("fake_ip6").map { try TunParser.address(table, "fake_ip6", $0, family: .v6, example: "fd68:7970::a") }
        )
    }

    /// `key_env` or `key_value`: this server's own PSK instead of the fleet's.
    static func keyOverride(_ table: TableReader) throws -> KeySource? {
        let variable = try table.string("key_env")
        let value = try table.string("key_value")
        switch (variable, value) {
        case (.some, .some):
            throw table.error(.conflict, "\(table.placeName) sets both key_env and key_value; keep one (key_env is better: the key stays out of the file)")
        case (let variable?, nil):
            return .environment(variable: try KeySource.environmentName("key_env", variable, in: table))
        case (nil, let value?):
            return .value(try KeySource.inlineKey(value, what: table.name("key_value"), in: table))
        case (nil, nil):
            return nil
        }
    }
}

/// One `[[forward]]` table of `client.toml`.
enum ForwardParser {
    static let keys = ["local", "server", "remote_port"]

    static func parse(_ table: TableReader) throws -> Forward {
        try table.rejectUnknownKeys(known: keys)
        let localText = try table.required("local", table.string("local"), hint: "add local = \"127.0.0.1:2201\"")
        let local = try table.parsed("local", localText, hint: LocalAddress.hint, LocalAddress.parse)
        let server = try table.required("server", table.string("server"), hint: "add server = \"<the name of a [[server]]>\"")
        let remotePort = try table.required("remote_port", table.port("remote_port"), hint: "add remote_port = 22 (the port on the server's loopback)")
        return Forward(local: local, server: server, remotePort: remotePort)
    }
}
