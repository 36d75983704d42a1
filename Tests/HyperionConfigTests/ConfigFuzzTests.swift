import Testing
@testable import HyperionConfig

/// Random and damaged input: the parsers never crash, throw only `ConfigError`, and never
/// accept a damaged config as something other than what it says.
@Suite struct ConfigFuzzTests {
    /// Parses with both parsers; returns whether each accepted. Any error that is not a
    /// `ConfigError` is recorded.
    @discardableResult
    func parseBoth(_ text: String, _ comment: @autoclosure () -> String) -> (server: ServerConfig?, client: ClientConfig?) {
        var server: ServerConfig?, client: ClientConfig?
        do { server = try ServerConfig.parse(text: text, path: "fuzz.toml") } catch {
            #expect(error is ConfigError, "\(comment()): \(error)")
        }
        do { client = try ClientConfig.parse(text: text, path: "fuzz.toml") } catch {
            #expect(error is ConfigError, "\(comment()): \(error)")
        }
        return (server, client)
    }

    @Test func randomBytesAreRefused() {
        var random = SplitMix64(seed: 0x4879_7065_7269_6f6e)
        for round in 0..<3000 {
            let length = Int.random(in: 0...300, using: &random)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let text = String(decoding: bytes, as: UTF8.self)
            let (server, client) = parseBoth(text, "round \(round)")
            #expect(server == nil && client == nil, "round \(round) accepted \(text.debugDescription)")
        }
    }

    /// Required tables come last and every table ends with a string or an array, so a cut
    /// anywhere either breaks the syntax, drops something required, or leaves a config that
    /// says exactly what the full one says.
    static let orderedServer = """
        listen = "0.0.0.0:8443"

        [limits]
        max_connections = 64
        [knock]
        enabled = true
        window_secs = 20
        [firewall]
        ttl_secs = 120
        table = "hv"
        [egress]
        allow = [22, 5432]
        [key]
        source = "passphrase"
        salt = "change-me-shared-salt"
        [identity]
        static_key_file = "server.key"
        admin_pubkeys = ["\(Fixtures.admin)", "\(Fixtures.admin2)"]

        """

    static let orderedClient = """
        mark = 77
        admin_static_key_file = "admin.key"

        [limits]
        ping_interval_secs = 5
        [knock]
        enabled = true
        [key]
        source = "passphrase"
        salt = "change-me-shared-salt"

        [[server]]
        pool_size = 3
        knock_port = 9000
        name = "a"
        addr = "10.0.0.1:8443"
        server_pubkey = "\(Fixtures.serverA)"

        [[server]]
        pool_size = 4
        name = "b"
        addr = "[2001:db8::2]:8443"
        server_pubkey = "\(Fixtures.serverB)"

        [[forward]]
        remote_port = 22
        server = "a"
        local = "127.0.0.1:2201"

        [[forward]]
        remote_port = 80
        server = "b"
        local = "[::1]:2280"

        """

    @Test func truncatedServerConfigIsRefusedOrUnchanged() throws {
        let full = try ServerConfig.parse(text: Self.orderedServer, path: "fuzz.toml")
        let bytes = Array(Self.orderedServer.utf8)
        var accepted = 0
        for cut in 0..<bytes.count {
            let text = String(decoding: bytes[..<cut], as: UTF8.self)
            guard let server = parseBoth(text, "cut \(cut)").server else { continue }
            accepted += 1
            #expect(server == full, "cut at \(cut) accepted a different config: \(text.debugDescription)")
        }
        #expect(accepted <= 2, "only cuts in the final line end may be accepted")
    }

    @Test func truncatedClientConfigIsRefusedOrAPrefix() throws {
        let full = try ClientConfig.parse(text: Self.orderedClient, path: "fuzz.toml")
        let bytes = Array(Self.orderedClient.utf8)
        for cut in 0..<bytes.count {
            let text = String(decoding: bytes[..<cut], as: UTF8.self)
            guard var client = parseBoth(text, "cut \(cut)").client else { continue }
            #expect(full.servers.starts(with: client.servers), "cut at \(cut): \(text.debugDescription)")
            #expect(full.forwards.starts(with: client.forwards), "cut at \(cut): \(text.debugDescription)")
            client.servers = full.servers
            client.forwards = full.forwards
            #expect(client == full, "cut at \(cut) changed a setting: \(text.debugDescription)")
        }
    }

    /// Random single-byte damage: whatever happens, no crash and no foreign error.
    @Test func mutatedConfigsNeverCrash() {
        var random = SplitMix64(seed: 2201)
        for (name, original) in [("server", Self.orderedServer), ("client", Self.orderedClient)] {
            let bytes = Array(original.utf8)
            for round in 0..<1500 {
                var damaged = bytes
                let position = Int.random(in: 0..<damaged.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: damaged[position] = UInt8.random(in: 0...255, using: &random)
                case 1: damaged.remove(at: position)
                default: damaged.insert(UInt8.random(in: 0...255, using: &random), at: position)
                }
                parseBoth(String(decoding: damaged, as: UTF8.self), "\(name) round \(round)")
            }
        }
    }

    /// Lines made from the configs' own vocabulary get past the TOML syntax far more often
    /// than random bytes, and exercise the table walkers. Anything accepted must still hold
    /// the invariants the types promise.
    @Test func randomWellFormedLinesKeepInvariants() {
        let headers = ["[key]", "[identity]", "[egress]", "[knock]", "[firewall]", "[limits]", "[[server]]", "[[forward]]"]
        let keys = ServerConfigParser.topLevelKeys + ClientConfigParser.topLevelKeys + KeySource.knownKeys
            + ServerEntryParser.keys + ForwardParser.keys + ServerLimitsParser.keys + ClientLimitsParser.keys
            + ["static_key_file", "admin_pubkeys", "allow", "enabled", "window_secs", "knock_port", "table", "set", "set6", "ttl_secs", "bogus"]
        let values = [
            "\"x\"", "0", "1", "22", "-1", "70000", "true", "[]", "[22, 22]", "[22]", "\"127.0.0.1:1\"", "\"0.0.0.0:8443\"",
            "\"passphrase\"", "\"env\"", "\"file\"", "\"value\"", "\"a\"", "\"\(Fixtures.admin)\"", "[\"\(Fixtures.admin)\"]",
            "\"saltsalt1\"", "1.5", "{}", "1979-05-27", "\"2201\"", "\"HV_PSK\"", "\"[::1]:22\"",
        ]
        var random = SplitMix64(seed: 8443)
        var accepted = 0
        for round in 0..<3000 {
            var lines: [String] = []
            for _ in 0..<Int.random(in: 1...24, using: &random) {
                if Int.random(in: 0..<4, using: &random) == 0 {
                    lines.append(headers.randomElement(using: &random)!)
                } else {
                    lines.append("\(keys.randomElement(using: &random)!) = \(values.randomElement(using: &random)!)")
                }
            }
            let text = lines.joined(separator: "\n")
            let (server, client) = parseBoth(text, "round \(round)")
            if let server {
                accepted += 1
                #expect(!server.identity.adminPublicKeys.isEmpty)
                #expect(Set(server.egress.allowedPorts).count == server.egress.allowedPorts.count)
            }
            if let client {
                accepted += 1
                #expect(!client.servers.isEmpty)
                #expect(Set(client.servers.map(\.name)).count == client.servers.count)
                #expect(client.forwards.allSatisfy { client.server(named: $0.server) != nil })
            }
        }
        _ = accepted
    }

    /// Regression: deep nesting and long lines come back as syntax errors, not crashes.
    @Test func pathologicalShapes() {
        parseBoth("a = " + String(repeating: "[", count: 100_000), "deep arrays")
        parseBoth("a = " + String(repeating: "{b = ", count: 10_000), "deep inline tables")
        parseBoth(String(repeating: "a.", count: 50_000) + "b = 1", "long dotted key")
        parseBoth("listen = \"" + String(repeating: "9", count: 100_000) + "\"", "long string")
        parseBoth("[identity]\nadmin_pubkeys = [" + Array(repeating: "\"\(Fixtures.admin)\"", count: 5000).joined(separator: ",") + "]", "many keys")
    }
}
