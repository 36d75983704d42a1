import HyperionCrypto
import Testing
@testable import HyperionConfig

@Suite struct ClientConfigTests {
    @Test func readmeQuickstartParsesWithDefaults() throws {
        let config = try ClientConfig.parse(text: Fixtures.client(), path: "/home/admin/.config/hyperion/client.toml")
        #expect(config.adminStaticKeyFile == "/home/admin/.config/hyperion/admin.key")
        #expect(config.key == .passphrase(salt: "change-me-shared-salt", passphraseEnvironment: nil))
        #expect(config.knockEnabled == false)
        #expect(config.mark == nil)
        #expect(config.limits == .init(
            connectTimeout: .milliseconds(5000), handshakeTimeout: .milliseconds(3000), streamWait: .milliseconds(10_000),
            maxReceiveWindowBytes: 16384 * 1024, pingInterval: .seconds(5), pingTimeout: .seconds(15),
            drainTimeout: .milliseconds(5000)
        ))
        let server = try #require(config.servers.first)
        #expect(config.servers.count == 1)
        #expect(server.name == "srvA")
        #expect(server.address == HostAndPort(host: .ip(IPAddress("127.0.0.1")!), port: 8443))
        #expect(server.publicKey.base64 == Fixtures.serverA)
        #expect(server.keyOverride == nil && server.poolSize == 2 && server.knockPort == 8443)
        #expect(config.forwards == [Forward(local: SocketAddress(ip: .loopbackV4, port: 2201), server: "srvA", remotePort: 22)])
        #expect(config.server(named: "srvA") == server)
        #expect(config.keySource(for: server) == config.key)
        #expect(config.warnings.isEmpty)
    }

    /// The README's TUN-mode client: only servers, no forwards, knock on.
    @Test func readmeTunModeFleetWithoutForwards() throws {
        let text = Fixtures.client(
            forwards: "",
            extra: "[knock]\nenabled = true"
        ).replacing(Fixtures.serverSrvA, with: """
            [[server]]
            name = "srvA"
            addr = "203.0.113.10:8443"
            server_pubkey = "\(Fixtures.serverA)"

            [[server]]
            name = "srvB"
            addr = "[2001:db8::b]:9443"
            server_pubkey = "\(Fixtures.serverB)"
            key_env = "HV_PSK_B"
            pool_size = 16
            knock_port = 62201

            [[server]]
            name = "db-1.internal"
            addr = "db-1.example.net:8443"
            server_pubkey = "\(Fixtures.serverB)"
            key_value = "\(Fixtures.psk)"
            """)
        let config = try ClientConfig.parse(text: text, path: "client.toml")
        #expect(config.adminStaticKeyFile == "admin.key")
        #expect(config.knockEnabled)
        #expect(config.forwards.isEmpty)
        #expect(config.servers.map(\.name) == ["srvA", "srvB", "db-1.internal"])
        #expect(config.servers[1].address.description == "[2001:db8::b]:9443")
        #expect(config.servers[1].keyOverride == .environment(variable: "HV_PSK_B"))
        #expect(config.servers[1].poolSize == 16 && config.servers[1].knockPort == 62201)
        #expect(config.servers[2].address == HostAndPort(host: .name("db-1.example.net"), port: 8443))
        #expect(config.servers[2].keyOverride?.isInlineValue == true)
        #expect(config.warnings.count == 1)
        #expect(config.warnings[0].contains("db-1.internal") && !config.warnings[0].contains(Fixtures.psk))
    }

    @Test func everyTopLevelOptionAndLocalForms() throws {
        let text = Fixtures.client(
            top: "admin_static_key_file = \"/keys/admin.key\"\nmark = 4242",
            forwards: """
                [[forward]]
                local = "2201"
                server = "srvA"
                remote_port = 22
                [[forward]]
                local = "[::1]:2201"
                server = "srvA"
                remote_port = 22
                [[forward]]
                local = "0.0.0.0:5432"
                server = "srvA"
                remote_port = 5432
                """,
            extra: """
                [limits]
                connect_timeout_ms = 100
                handshake_timeout_ms = 60000
                stream_wait_ms = 0
                max_receive_window_kib = 1048576
                ping_interval_secs = 10
                ping_timeout_secs = 10
                drain_timeout_ms = 0
                """
        )
        let config = try ClientConfig.parse(text: text, path: "client.toml")
        #expect(config.adminStaticKeyFile == "/keys/admin.key")
        #expect(config.mark == 4242)
        #expect(config.limits == .init(
            connectTimeout: .milliseconds(100), handshakeTimeout: .seconds(60), streamWait: .zero,
            maxReceiveWindowBytes: 1 << 30, pingInterval: .seconds(10), pingTimeout: .seconds(10), drainTimeout: .zero
        ))
        #expect(config.forwards.map(\.local.description) == ["127.0.0.1:2201", "[::1]:2201", "0.0.0.0:5432"])
    }

    @Test func noFleetKeyWhenEveryServerOverrides() throws {
        let text = Fixtures.client(key: nil, servers: Fixtures.serverSrvA + "\nkey_env = \"PSK_A\"")
        let config = try ClientConfig.parse(text: text, path: "client.toml")
        #expect(config.key == nil)
        #expect(config.keySource(for: config.servers[0]) == .environment(variable: "PSK_A"))
    }

    static let srvB = """
        [[server]]
        name = "srvB"
        addr = "198.51.100.7:8443"
        server_pubkey = "\(Fixtures.serverB)"
        """

    static func forward(_ local: String, _ server: String = "srvA", _ port: Int = 22) -> String {
        "[[forward]]\nlocal = \"\(local)\"\nserver = \"\(server)\"\nremote_port = \(port)\n"
    }

    static let badConfigs: [BadConfig] = {
        let a = Fixtures.serverSrvA
        return [
            BadConfig("unknown top-level key", Fixtures.client(top: "admin_key_file = \"a\""),
                      .unknownKey, ["client.toml", "\"admin_key_file\"", "at the top level", "admin_static_key_file"]),
            BadConfig("unknown key in [[server]]", Fixtures.client(servers: a + "\npool_sise = 3"),
                      .unknownKey, ["client.toml", "\"pool_sise\"", "[[server]] #1 (\"srvA\")", "did you mean \"pool_size\"", "known keys: name, addr, server_pubkey"]),
            BadConfig("unknown key in the second [[server]]", Fixtures.client(servers: a + "\n\n" + srvB + "\nport = 1"),
                      .unknownKey, ["client.toml", "\"port\"", "[[server]] #2 (\"srvB\")"]),
            BadConfig("unknown key in [[forward]]", Fixtures.client(forwards: Fixtures.forwardSSH + "\nremote = 22"),
                      .unknownKey, ["client.toml", "\"remote\"", "[[forward]] #1", "remote_port"]),
            BadConfig("unknown key in [limits]", Fixtures.client(extra: "[limits]\nping_every = 1"),
                      .unknownKey, ["client.toml", "\"ping_every\"", "[limits]"]),
            BadConfig("unknown key in [knock]", Fixtures.client(extra: "[knock]\nenable = true"),
                      .unknownKey, ["client.toml", "\"enable\"", "[knock]", "did you mean \"enabled\""]),
            BadConfig("bad server_pubkey", Fixtures.client(servers: a.replacing(Fixtures.serverA, with: "bm9wZQ==")),
                      .invalidValue, ["client.toml", "server_pubkey in [[server]] #1 (\"srvA\")", "base64", "hyperion-server keygen"]),
            BadConfig("bad key_value", Fixtures.client(servers: a + "\nkey_value = \"bm9wZQ==\""),
                      .invalidValue, ["client.toml", "key_value in [[server]] #1 (\"srvA\")", "base64"]),
            BadConfig("key_env and key_value", Fixtures.client(servers: a + "\nkey_env = \"P\"\nkey_value = \"\(Fixtures.psk)\""),
                      .conflict, ["client.toml", "[[server]] #1 (\"srvA\")", "key_env", "key_value"]),
            BadConfig("key_env not a variable name", Fixtures.client(servers: a + "\nkey_env = \"PSK-A\""),
                      .invalidValue, ["client.toml", "key_env in [[server]] #1", "\"PSK-A\""]),
            BadConfig("duplicate local port", Fixtures.client(forwards: forward("127.0.0.1:2201") + forward("127.0.0.1:2201", "srvA", 80)),
                      .duplicate, ["client.toml", "[[forward]] #2", "[[forward]] #1", "port 2201"]),
            BadConfig("overlapping local address", Fixtures.client(forwards: forward("0.0.0.0:2201") + forward("2201")),
                      .duplicate, ["client.toml", "[[forward]] #2 (local 127.0.0.1:2201)", "[[forward]] #1 (local 0.0.0.0:2201)"]),
            BadConfig("IPv6 any overlaps IPv4", Fixtures.client(forwards: forward("127.0.0.1:3000") + forward("[::]:3000")),
                      .duplicate, ["client.toml", "[[forward]] #2", "[[forward]] #1"]),
            BadConfig("forward names an unknown server", Fixtures.client(servers: a + "\n\n" + srvB, forwards: forward("2201") + forward("2202", "x")),
                      .unknownServer, ["client.toml", "[[forward]] #2 names server \"x\", which no [[server]] defines; known: srvA, srvB"]),
            BadConfig("no [[server]]", Fixtures.client(servers: "", forwards: ""),
                      .missingKey, ["client.toml", "no [[server]]"]),
            BadConfig("server is a table", Fixtures.client(servers: a.replacing("[[server]]", with: "[server]"), forwards: ""),
                      .wrongType, ["client.toml", "server", "[[server]]", "not a table"]),
            BadConfig("missing server_pubkey", Fixtures.client(servers: "[[server]]\nname = \"srvA\"\naddr = \"10.0.0.1:8443\""),
                      .missingKey, ["client.toml", "[[server]] #1 (\"srvA\")", "server_pubkey"]),
            BadConfig("missing name", Fixtures.client(servers: "[[server]]\naddr = \"10.0.0.1:8443\""),
                      .missingKey, ["client.toml", "[[server]] #1 has no name"]),
            BadConfig("missing admin_static_key_file", Fixtures.client(top: ""),
                      .missingKey, ["client.toml", "admin_static_key_file"]),
            BadConfig("missing remote_port", Fixtures.client(forwards: "[[forward]]\nlocal = \"2201\"\nserver = \"srvA\""),
                      .missingKey, ["client.toml", "[[forward]] #1", "remote_port"]),
            BadConfig("no [key] and a server without override", Fixtures.client(key: nil),
                      .missingKey, ["client.toml", "[key]", "\"srvA\"", "key_env"]),
            BadConfig("duplicate server name", Fixtures.client(servers: a + "\n\n" + a),
                      .duplicate, ["client.toml", "[[server]] #2 (\"srvA\")", "[[server]] #1"]),
            BadConfig("bad server name", Fixtures.client(servers: a.replacing("\"srvA\"", with: "\"web 1\""), forwards: ""),
                      .invalidValue, ["client.toml", "name in [[server]] #1 (\"web 1\")"]),
            BadConfig("addr without port", Fixtures.client(servers: a.replacing("127.0.0.1:8443", with: "203.0.113.10")),
                      .invalidValue, ["client.toml", "addr in [[server]] #1 (\"srvA\")", "\"203.0.113.10\"", "no port"]),
            BadConfig("addr with a bad host", Fixtures.client(servers: a.replacing("127.0.0.1:8443", with: "web_1:8443")),
                      .invalidValue, ["client.toml", "addr in [[server]] #1", "\"web_1\"", "neither an IP address nor a DNS name"]),
            BadConfig("addr that is almost IPv4", Fixtures.client(servers: a.replacing("127.0.0.1:8443", with: "300.1.1.1:8443")),
                      .invalidValue, ["client.toml", "addr in [[server]] #1", "\"300.1.1.1\""]),
            BadConfig("addr with port 0", Fixtures.client(servers: a.replacing("127.0.0.1:8443", with: "10.0.0.1:0")),
                      .invalidValue, ["client.toml", "addr in [[server]] #1", "\"0\""]),
            BadConfig("addr with bad brackets", Fixtures.client(servers: a.replacing("127.0.0.1:8443", with: "[10.0.0.1]:8443")),
                      .invalidValue, ["client.toml", "addr in [[server]] #1", "not an IPv6 address"]),
            BadConfig("pool_size too big", Fixtures.client(servers: a + "\npool_size = 17"),
                      .invalidValue, ["client.toml", "pool_size in [[server]] #1 (\"srvA\")", "17", "from 1 to 16"]),
            BadConfig("pool_size is a string", Fixtures.client(servers: a + "\npool_size = \"2\""),
                      .wrongType, ["client.toml", "pool_size in [[server]] #1 (\"srvA\")", "an integer", "a string"]),
            BadConfig("mark zero", Fixtures.client(top: "admin_static_key_file = \"a\"\nmark = 0"),
                      .invalidValue, ["client.toml", "mark", "is 0", "4294967295"]),
            BadConfig("mark too big", Fixtures.client(top: "admin_static_key_file = \"a\"\nmark = 4294967296"),
                      .invalidValue, ["client.toml", "mark"]),
            BadConfig("admin key file is a number", Fixtures.client(top: "admin_static_key_file = 1"),
                      .wrongType, ["client.toml", "admin_static_key_file", "a string"]),
            BadConfig("forward local is a host name", Fixtures.client(forwards: forward("localhost:2201")),
                      .invalidValue, ["client.toml", "local in [[forward]] #1", "\"localhost\"", "127.0.0.1:2201"]),
            BadConfig("forward local port is 0", Fixtures.client(forwards: forward("0")),
                      .invalidValue, ["client.toml", "local in [[forward]] #1"]),
            BadConfig("remote_port out of range", Fixtures.client(forwards: forward("2201", "srvA", 0)),
                      .invalidValue, ["client.toml", "remote_port in [[forward]] #1", "from 1 to 65535"]),
            BadConfig("ping timeout under the interval", Fixtures.client(extra: "[limits]\nping_interval_secs = 10\nping_timeout_secs = 5"),
                      .invalidValue, ["client.toml", "ping_timeout_secs in [limits]", "ping_interval_secs"]),
            BadConfig("stream wait too long", Fixtures.client(extra: "[limits]\nstream_wait_ms = 600001"),
                      .invalidValue, ["client.toml", "stream_wait_ms in [limits]"]),
            BadConfig("knock enabled is a string", Fixtures.client(extra: "[knock]\nenabled = \"true\""),
                      .wrongType, ["client.toml", "enabled in [knock]"]),
            BadConfig("salt under 8 bytes", Fixtures.client(key: "source = \"passphrase\"\nsalt = \"1234567\""),
                      .invalidValue, ["client.toml", "salt in [key]", "7 bytes"]),
            BadConfig("file source with a stray env_var", Fixtures.client(key: "source = \"file\"\nfile = \"psk\"\nenv_var = \"X\""),
                      .conflict, ["client.toml", "[key]", "env_var", "source = \"file\""]),
            BadConfig("syntax error in a [[server]]", Fixtures.client(servers: a + "\npool_size = = 3"),
                      .syntax, ["client.toml", "line", "column"]),
        ]
    }()

    @Test(arguments: badConfigs)
    func refuses(_ bad: BadConfig) {
        expectConfigError(bad.kind, mentioning: bad.mentions) {
            try ClientConfig.parse(text: bad.text, path: "/home/admin/.config/hyperion/client.toml")
        }
    }

    @Test func keyValueErrorDoesNotShowTheValue() {
        let error = expectConfigError(.invalidValue, mentioning: ["key_value"]) {
            try ClientConfig.parse(text: Fixtures.client(servers: Fixtures.serverSrvA + "\nkey_value = \"c2VjcmV0LXZhbHVl\""), path: "client.toml")
        }
        #expect(error?.message.contains("c2VjcmV0LXZhbHVl") == false)
    }
}
