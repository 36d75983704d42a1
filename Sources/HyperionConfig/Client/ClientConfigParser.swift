import TOMLKit

/// Walks the top level of `client.toml`; `[[server]]` and `[[forward]]` entries have their
/// own parsers.
enum ClientConfigParser {
    static let topLevelKeys = ["admin_static_key_file", "key", "knock", "mark", "limits", "server", "forward", "tun", "socks"]

    static func parse(_ root: TableReader, allowingNoServers: Bool = false) throws -> ClientConfig {
        try root.rejectUnknownKeys(known: topLevelKeys)
        let keyFile = try root.required(
            "admin_static_key_file", root.string("admin_static_key_file"),
            hint: "add admin_static_key_file = \"admin.key\" (made by `hyperion-client keygen --out admin.key`)"
        )
        guard !keyFile.isEmpty else {
            throw root.invalid("admin_static_key_file", "is empty; give the path of the admin key file")
        }
        let key = try root.table("key").map(KeySource.parse)
        let knock = try root.table("knock")
        try knock?.rejectUnknownKeys(known: ["enabled"])
        let mark = try root.integer("mark", in: 1...Int(UInt32.max)).map { UInt32($0) }

        let servers = try self.servers(root, allowingNone: allowingNoServers)
        if key == nil, let needy = servers.first(where: { $0.keyOverride == nil }) {
            throw root.error(
                .missingKey,
                "no [key] table, but [[server]] \(Quoted(needy.name)) has neither key_env nor key_value, so it needs the fleet key; "
                    + "add [key] (for example source = \"passphrase\" and salt = \"...\")"
            )
        }
        let forwards = try root.tableArray("forward") { number, _ in "[[forward]] #\(number)" } ?? []
        let entries = try forwards.map { ForwardRules.Entry(forward: try ForwardParser.parse($0), label: $0.placeName) }
        try ForwardRules.check(entries, servers: servers, file: root.file)
        let tunTable = try root.table("tun")
        let tun = try TunParser.parse(tunTable, topLevelMark: mark)
        try FakeAddressRules.check(servers, tun: tun, file: root.file)

        let config = ClientConfig(
            path: root.file,
            adminStaticKeyFile: RelativePath.resolve(keyFile, besides: root.file),
            key: key,
            knockEnabled: try knock?.bool("enabled") ?? false,
            mark: mark,
            limits: try ClientLimitsParser.parse(root.table("limits")),
            servers: servers,
            forwards: entries.map(\.forward),
            tun: tun,
            hasTunSection: tunTable != nil,
            socksListen: try SocksParser.parse(root.table("socks"))
        )
        try config.checkSocksAgainstForwards(label: "[socks] listen")
        return config
    }

    static func servers(_ root: TableReader, allowingNone: Bool) throws -> [ClientConfig.Server] {
        let tables = try root.tableArray("server") { number, table in
            guard let name = table["name"]?.string else { return "[[server]] #\(number)" }
            return "[[server]] #\(number) (\(Quoted(name)))"
        } ?? []
        guard !tables.isEmpty || allowingNone else {
            throw root.error(
                .missingKey,
                "no [[server]]: add at least one, with `hyperion-client add-server NAME HOST:PORT PUBKEY` or by hand (a [[server]] table with name, addr and server_pubkey)"
            )
        }
        var servers: [ClientConfig.Server] = []
        for table in tables {
            let server = try ServerEntryParser.parse(table)
            if let earlier = servers.firstIndex(where: { $0.name == server.name }) {
                throw table.error(.duplicate, "\(table.placeName) has the same name as [[server]] #\(earlier + 1); give each server its own name")
            }
            servers.append(server)
        }
        return servers
    }
}

/// `[limits]` of `client.toml`.
enum ClientLimitsParser {
    static let keys = [
        "connect_timeout_ms", "handshake_timeout_ms", "stream_wait_ms",
        "max_receive_window_kib", "ping_interval_secs", "ping_timeout_secs", "drain_timeout_ms",
    ]

    static func parse(_ table: TableReader?) throws -> ClientConfig.Limits {
        try table?.rejectUnknownKeys(known: keys)
        func value(_ key: String, _ range: ClosedRange<Int>, default fallback: Int) throws -> Int {
            try table?.integer(key, in: range) ?? fallback
        }
        let interval = try value("ping_interval_secs", 1...3600, default: 5)
        let timeout = try value("ping_timeout_secs", 1...3600, default: 15)
        if let table, timeout < interval {
            throw table.invalid(
                "ping_timeout_secs",
                "is \(timeout), shorter than ping_interval_secs (\(interval)); make it at least the interval, better two or three times it"
            )
        }
        return .init(
            connectTimeout: .milliseconds(try value("connect_timeout_ms", 100...120_000, default: 5000)),
            handshakeTimeout: .milliseconds(try value("handshake_timeout_ms", 100...60_000, default: 3000)),
            streamWait: .milliseconds(try value("stream_wait_ms", 0...600_000, default: 10_000)),
            maxReceiveWindowBytes: try value("max_receive_window_kib", ReceiveWindow.kibRange, default: 16_384) * 1024,
            pingInterval: .seconds(interval),
            pingTimeout: .seconds(timeout),
            drainTimeout: .milliseconds(try value("drain_timeout_ms", 0...600_000, default: 5000))
        )
    }
}
