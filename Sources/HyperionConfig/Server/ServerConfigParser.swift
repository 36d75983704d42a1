import HyperionCrypto

/// Walks the top level of `server.toml`. Each table has its own function below, and each
/// starts by refusing keys it does not know.
enum ServerConfigParser {
    static let topLevelKeys = ["listen", "key", "identity", "egress", "knock", "firewall", "limits", "server"]
    static let defaultListen = SocketAddress(ip: IPAddress("0.0.0.0")!, port: 8443)

    static func parse(_ root: TableReader) throws -> ServerConfig {
        try root.rejectUnknownKeys(known: topLevelKeys)
        let listen = try root.string("listen").map {
            try root.parsed("listen", $0, hint: "write it as \"0.0.0.0:8443\" or \"[::]:8443\"", SocketAddress.init(parsing:))
        } ?? defaultListen

        let keyTable = try root.requiredTable("key", hint: "add one, for example with source = \"passphrase\" and salt = \"...\"")
        let identityTable = try root.requiredTable("identity", hint: "add one with static_key_file and admin_pubkeys")
        return ServerConfig(
            path: root.file,
            listen: listen,
            key: try KeySource.parse(keyTable),
            identity: try identity(identityTable),
            egress: try egress(root.table("egress")),
            knock: try knock(root.table("knock"), listenPort: listen.port),
            firewall: try firewall(root.table("firewall")),
            limits: try ServerLimitsParser.parse(root.table("limits")),
            server: try ServerProcessParser.parse(root.table("server"))
        )
    }

    static func identity(_ table: TableReader) throws -> ServerConfig.Identity {
        try table.rejectUnknownKeys(known: ["static_key_file", "admin_pubkeys"])
        let keyFile = try table.required(
            "static_key_file", table.string("static_key_file"),
            hint: "add static_key_file = \"server.key\" (made by `hyperion-server keygen --out server.key`)"
        )
        guard !keyFile.isEmpty else {
            throw table.invalid("static_key_file", "is empty; give the path of the server's key file")
        }
        let texts = try table.required(
            "admin_pubkeys", table.stringArray("admin_pubkeys"),
            hint: "add admin_pubkeys = [\"<admin public key>\"] (printed by `hyperion-client keygen`)"
        )
        guard !texts.isEmpty else {
            throw table.error(
                .invalidValue,
                "no admin keys: \(table.name("admin_pubkeys")) is empty, so nobody could connect; add the public key printed by `hyperion-client keygen`"
            )
        }
        var keys: [X25519PublicKey] = []
        for (index, text) in texts.enumerated() {
            let what = table.name("admin_pubkeys[\(index)]")
            let key: X25519PublicKey
            do {
                key = try X25519PublicKey(base64: text, what: what)
            } catch let error as HyperionCryptoError {
                throw table.error(.invalidValue, KeyTextProblem.message(
                    for: error, text: text, what: what, todo: "paste the public key that `hyperion-client keygen` printed"
                ))
            }
            if let first = keys.firstIndex(of: key) {
                throw table.error(.duplicate, "\(what) repeats admin_pubkeys[\(first)]; list each admin key once")
            }
            keys.append(key)
        }
        return .init(staticKeyFile: RelativePath.resolve(keyFile, besides: table.file), adminPublicKeys: keys)
    }

    static func egress(_ table: TableReader?) throws -> ServerConfig.Egress {
        guard let table else { return .init(allowedPorts: []) }
        try table.rejectUnknownKeys(known: ["allow"])
        let ports = try table.integerArray("allow", in: 1...65535) ?? []
        var seen: [Int] = []
        for (index, port) in ports.enumerated() {
            if let first = seen.firstIndex(of: port) {
                throw table.error(.duplicate, "\(table.name("allow[\(index)]")) repeats port \(port) (allow[\(first)]); list each port once")
            }
            seen.append(port)
        }
        return .init(allowedPorts: ports.map { UInt16($0) })
    }

    static func knock(_ table: TableReader?, listenPort: UInt16) throws -> ServerConfig.Knock {
        guard let table else { return .init(isEnabled: false, window: .seconds(30), port: listenPort, cooldown: .seconds(5)) }
        try table.rejectUnknownKeys(known: ["enabled", "window_secs", "knock_port", "cooldown_secs"])
        return .init(
            isEnabled: try table.bool("enabled") ?? false,
            window: .seconds(try table.integer("window_secs", in: 1...300) ?? 30),
            port: try table.port("knock_port") ?? listenPort,
            cooldown: .seconds(try table.integer("cooldown_secs", in: 0...3600) ?? 5)
        )
    }

    static func firewall(_ table: TableReader?) throws -> ServerConfig.Firewall {
        let defaults = ServerConfig.Firewall(table: "hyperion", ipv4Set: "knock_allow", ipv6Set: "knock_allow6", elementTimeout: .seconds(60))
        guard let table else { return defaults }
        try table.rejectUnknownKeys(known: ["table", "set", "set6", "ttl_secs"])
        func identifier(_ key: String, _ fallback: String) throws -> String {
            guard let name = try table.string(key) else { return fallback }
            guard NameRules.isNftIdentifier(name) else {
                throw table.invalid(key, "is \(Quoted(name)), which is not a usable nftables name; use a letter, then up to 31 letters, digits or _")
            }
            return name
        }
        let result = ServerConfig.Firewall(
            table: try identifier("table", defaults.table),
            ipv4Set: try identifier("set", defaults.ipv4Set),
            ipv6Set: try identifier("set6", defaults.ipv6Set),
            elementTimeout: .seconds(try table.integer("ttl_secs", in: 1...86400) ?? 60)
        )
        guard result.ipv4Set != result.ipv6Set else {
            throw table.error(.duplicate, "set and set6 in [firewall] are both \(Quoted(result.ipv4Set)); the IPv4 and IPv6 sets need different names")
        }
        return result
    }
}
