import HyperionCrypto
import Testing
@testable import HyperionConfig

@Suite struct ServerConfigTests {
    @Test func readmeQuickstartParsesWithDefaults() throws {
        let config = try ServerConfig.parse(text: Fixtures.server(), path: "/etc/hyperion/server.toml")
        #expect(config.path == "/etc/hyperion/server.toml")
        #expect(config.listen.description == "127.0.0.1:8443")
        #expect(config.key == .passphrase(salt: "change-me-shared-salt", passphraseEnvironment: nil))
        #expect(config.identity.staticKeyFile == "/etc/hyperion/server.key")
        #expect(config.identity.adminPublicKeys == [Fixtures.adminSecret.publicKey])
        #expect(config.egress.allowedPorts == [22])
        #expect(config.egress.allows(port: 22) && !config.egress.allows(port: 80))
        #expect(config.knock == .init(isEnabled: false, window: .seconds(30), port: 8443, cooldown: .seconds(5)))
        #expect(config.firewall == .init(table: "hyperion", ipv4Set: "knock_allow", ipv6Set: "knock_allow6", elementTimeout: .seconds(60)))
        #expect(config.limits == .init(
            handshakeTimeout: .milliseconds(3000), maxConnections: 256, maxStreamsPerConnection: 512,
            maxReceiveWindowBytes: 16384 * 1024, dialTimeout: .milliseconds(3000), drainTimeout: .milliseconds(5000),
            maxUnauthenticated: 1024, maxUnauthenticatedPerSource: 8, handshakesPerSecond: 10, handshakeBurst: 20
        ))
        #expect(config.warnings.isEmpty)
    }

    @Test func readmeProductionSnippetParses() throws {
        let text = Fixtures.server(
            top: #"listen = "0.0.0.0:8443""#,
            extra: """
                [knock]
                enabled     = true
                window_secs = 30
                [firewall]
                table    = "hyperion"
                set      = "knock_allow"
                ttl_secs = 60
                """
        )
        let config = try ServerConfig.parse(text: text, path: "server.toml")
        #expect(config.listen == SocketAddress(ip: IPAddress("0.0.0.0")!, port: 8443))
        #expect(config.knock.isEnabled && config.knock.window == .seconds(30) && config.knock.port == 8443)
        #expect(config.firewall.table == "hyperion" && config.firewall.ipv4Set == "knock_allow")
        #expect(config.firewall.elementTimeout == .seconds(60))
        #expect(config.identity.staticKeyFile == "server.key")
        #expect(config.egress.allowedPorts.isEmpty)
    }

    @Test func everyTableSet() throws {
        let text = Fixtures.server(
            top: #"listen = "[::]:9443""#,
            key: #"source = "file""# + "\n" + #"file = "psk.txt""#,
            identity: #"static_key_file = "/var/lib/hyperion/server.key""# + "\nadmin_pubkeys = [\"\(Fixtures.admin)\", \"\(Fixtures.admin2)\"]",
            extra: """
                [egress]
                allow = [22, 5432, 443]
                [knock]
                enabled = true
                window_secs = 10
                knock_port = 62201
                cooldown_secs = 0
                [firewall]
                table = "hv"
                set = "a4"
                set6 = "a6"
                ttl_secs = 86400
                [limits]
                handshake_timeout_ms = 1500
                max_connections = 8
                max_streams_per_connection = 1
                max_receive_window_kib = 256
                dial_timeout_ms = 100
                drain_timeout_ms = 0
                max_unauthenticated = 64
                max_unauthenticated_per_source = 64
                handshakes_per_sec = 1
                handshake_burst = 10000
                """
        )
        let config = try ServerConfig.parse(text: text, path: "conf/server.toml")
        #expect(config.listen.description == "[::]:9443")
        #expect(config.key == .file(path: "conf/psk.txt"))
        #expect(config.identity.staticKeyFile == "/var/lib/hyperion/server.key")
        #expect(config.identity.adminPublicKeys.map(\.base64) == [Fixtures.admin, Fixtures.admin2])
        #expect(config.egress.allowedPorts == [22, 5432, 443])
        #expect(config.knock == .init(isEnabled: true, window: .seconds(10), port: 62201, cooldown: .zero))
        #expect(config.firewall == .init(table: "hv", ipv4Set: "a4", ipv6Set: "a6", elementTimeout: .seconds(86400)))
        #expect(config.limits == .init(
            handshakeTimeout: .milliseconds(1500), maxConnections: 8, maxStreamsPerConnection: 1,
            maxReceiveWindowBytes: 256 * 1024, dialTimeout: .milliseconds(100), drainTimeout: .zero,
            maxUnauthenticated: 64, maxUnauthenticatedPerSource: 64, handshakesPerSecond: 1, handshakeBurst: 10000
        ))
    }

    @Test func inlineValueIsAcceptedWithAWarning() throws {
        let config = try ServerConfig.parse(
            text: Fixtures.server(key: "source = \"value\"\nvalue = \"\(Fixtures.psk)\""), path: "server.toml"
        )
        #expect(config.key.isInlineValue)
        #expect(config.warnings.count == 1)
        #expect(config.warnings[0].contains("server.toml") && config.warnings[0].contains("inline"))
        #expect(!config.warnings[0].contains(Fixtures.psk))
    }

    @Test func envSourceAndPassphraseEnv() throws {
        let env = try ServerConfig.parse(text: Fixtures.server(key: "source = \"env\"\nenv_var = \"HYPERION_PSK\""), path: "s.toml")
        #expect(env.key == .environment(variable: "HYPERION_PSK"))
        let pass = try ServerConfig.parse(
            text: Fixtures.server(key: Fixtures.keyPassphrase + "\npassphrase_env = \"HV_PASS\""), path: "s.toml"
        )
        #expect(pass.key == .passphrase(salt: "change-me-shared-salt", passphraseEnvironment: "HV_PASS"))
    }

    static let badConfigs: [BadConfig] = {
        let key = Fixtures.keyPassphrase
        return [
            BadConfig("unknown top-level key", Fixtures.server(top: #"lisen = "0.0.0.0:1""#, extra: ""),
                      .unknownKey, ["server.toml", "\"lisen\"", "the top level", "did you mean \"listen\"", "known keys: listen, key"]),
            BadConfig("unknown key in [limits]", Fixtures.server(extra: "[limits]\nmax_conections = 3"),
                      .unknownKey, ["server.toml", "\"max_conections\"", "[limits]", "max_connections"]),
            BadConfig("unknown key in [identity]", Fixtures.server(identity: Fixtures.identity + "\nadmin_keys = []"),
                      .unknownKey, ["server.toml", "\"admin_keys\"", "[identity]"]),
            BadConfig("unknown key in [key]", Fixtures.server(key: key + "\nkdf = \"argon2\""),
                      .unknownKey, ["server.toml", "\"kdf\"", "[key]"]),
            BadConfig("listen is not a string", Fixtures.server(top: "listen = 8443"),
                      .wrongType, ["server.toml", "listen", "must be a string", "not an integer"]),
            // A bare key after [identity] belongs to [identity], and is unknown there.
            BadConfig("top-level key placed after a table", Fixtures.server(extra: "knock = true"),
                      .unknownKey, ["server.toml", "\"knock\"", "in [identity]"]),
            BadConfig("knock is a boolean", Fixtures.server(top: "knock = true"),
                      .wrongType, ["server.toml", "knock", "a table", "a boolean"]),
            BadConfig("enabled is a string", Fixtures.server(extra: "[knock]\nenabled = \"yes\""),
                      .wrongType, ["server.toml", "enabled in [knock]", "true or false", "a string"]),
            BadConfig("allow holds a string", Fixtures.server(extra: "[egress]\nallow = [\"22\"]"),
                      .wrongType, ["server.toml", "allow[0] in [egress]", "an integer"]),
            BadConfig("max_connections is a float", Fixtures.server(extra: "[limits]\nmax_connections = 2.5"),
                      .wrongType, ["server.toml", "max_connections in [limits]", "an integer", "floating-point"]),
            BadConfig("no [key]", Fixtures.server(key: nil),
                      .missingKey, ["server.toml", "[key]"]),
            BadConfig("no [identity]", Fixtures.server(identity: nil),
                      .missingKey, ["server.toml", "[identity]"]),
            BadConfig("no static_key_file", Fixtures.server(identity: "admin_pubkeys = [\"\(Fixtures.admin)\"]"),
                      .missingKey, ["server.toml", "[identity]", "static_key_file"]),
            BadConfig("no admin_pubkeys", Fixtures.server(identity: #"static_key_file = "server.key""#),
                      .missingKey, ["server.toml", "[identity]", "admin_pubkeys"]),
            BadConfig("no salt", Fixtures.server(key: #"source = "passphrase""#),
                      .missingKey, ["server.toml", "[key]", "salt"]),
            BadConfig("no source", Fixtures.server(key: #"salt = "0123456789""#),
                      .missingKey, ["server.toml", "[key]", "source"]),
            BadConfig("salt under 8 bytes", Fixtures.server(key: "source = \"passphrase\"\nsalt = \"short\""),
                      .invalidValue, ["server.toml", "salt in [key]", "is 5 bytes", "at least 8"]),
            BadConfig("empty admin list", Fixtures.server(identity: "static_key_file = \"k\"\nadmin_pubkeys = []"),
                      .invalidValue, ["server.toml", "admin_pubkeys in [identity]", "no admin keys", "nobody could connect"]),
            BadConfig("bad admin key", Fixtures.server(identity: "static_key_file = \"k\"\nadmin_pubkeys = [\"\(Fixtures.admin)\", \"AAAA\"]"),
                      .invalidValue, ["server.toml", "admin_pubkeys[1] in [identity]", "base64", "hyperion-client keygen"]),
            BadConfig("duplicate admin key", Fixtures.server(identity: "static_key_file = \"k\"\nadmin_pubkeys = [\"\(Fixtures.admin)\", \"\(Fixtures.admin)\"]"),
                      .duplicate, ["server.toml", "admin_pubkeys[1] in [identity]", "admin_pubkeys[0]"]),
            BadConfig("bad inline value", Fixtures.server(key: "source = \"value\"\nvalue = \"bm90IGEga2V5\""),
                      .invalidValue, ["server.toml", "value in [key]", "base64"]),
            BadConfig("unknown source", Fixtures.server(key: #"source = "kms""#),
                      .invalidValue, ["server.toml", "source in [key]", "\"kms\"", "\"passphrase\""]),
            BadConfig("salt with source env", Fixtures.server(key: "source = \"env\"\nenv_var = \"PSK\"\nsalt = \"0123456789\""),
                      .conflict, ["server.toml", "[key]", "salt", "source = \"env\""]),
            BadConfig("passphrase_env with source value", Fixtures.server(key: "source = \"value\"\nvalue = \"\(Fixtures.psk)\"\npassphrase_env = \"P\""),
                      .conflict, ["server.toml", "[key]", "passphrase_env", "source = \"value\""]),
            BadConfig("file with source passphrase", Fixtures.server(key: key + "\nfile = \"psk\""),
                      .conflict, ["server.toml", "[key]", "file", "source = \"passphrase\""]),
            BadConfig("env_var is not a variable name", Fixtures.server(key: "source = \"env\"\nenv_var = \"1 BAD\""),
                      .invalidValue, ["server.toml", "env_var in [key]", "\"1 BAD\""]),
            BadConfig("too many streams", Fixtures.server(extra: "[limits]\nmax_streams_per_connection = 20000"),
                      .invalidValue, ["server.toml", "max_streams_per_connection in [limits]", "20000", "from 1 to 16384"]),
            BadConfig("window too small", Fixtures.server(extra: "[limits]\nmax_receive_window_kib = 100"),
                      .invalidValue, ["server.toml", "max_receive_window_kib in [limits]", "256"]),
            BadConfig("zero unauthenticated connections", Fixtures.server(extra: "[limits]\nmax_unauthenticated = 0"),
                      .invalidValue, ["server.toml", "max_unauthenticated in [limits]", "from 1 to 65536"]),
            BadConfig("too many unauthenticated connections", Fixtures.server(extra: "[limits]\nmax_unauthenticated = 65537"),
                      .invalidValue, ["server.toml", "max_unauthenticated in [limits]", "65537"]),
            BadConfig("zero per source", Fixtures.server(extra: "[limits]\nmax_unauthenticated_per_source = 0"),
                      .invalidValue, ["server.toml", "max_unauthenticated_per_source in [limits]", "from 1 to 65536"]),
            BadConfig("per source above the global bound",
                      Fixtures.server(extra: "[limits]\nmax_unauthenticated = 16\nmax_unauthenticated_per_source = 17"),
                      .invalidValue, ["server.toml", "max_unauthenticated_per_source in [limits]", "17", "more than max_unauthenticated (16)"]),
            BadConfig("per source above the default global bound", Fixtures.server(extra: "[limits]\nmax_unauthenticated_per_source = 2000"),
                      .invalidValue, ["server.toml", "max_unauthenticated_per_source in [limits]", "(1024)"]),
            BadConfig("zero handshake rate", Fixtures.server(extra: "[limits]\nhandshakes_per_sec = 0"),
                      .invalidValue, ["server.toml", "handshakes_per_sec in [limits]", "from 1 to 10000"]),
            BadConfig("handshake burst too large", Fixtures.server(extra: "[limits]\nhandshake_burst = 10001"),
                      .invalidValue, ["server.toml", "handshake_burst in [limits]", "10001", "from 1 to 10000"]),
            BadConfig("handshake rate is a string", Fixtures.server(extra: "[limits]\nhandshakes_per_sec = \"10\""),
                      .wrongType, ["server.toml", "handshakes_per_sec in [limits]", "an integer"]),
            BadConfig("zero handshake timeout", Fixtures.server(extra: "[limits]\nhandshake_timeout_ms = 0"),
                      .invalidValue, ["server.toml", "handshake_timeout_ms in [limits]"]),
            BadConfig("knock window zero", Fixtures.server(extra: "[knock]\nwindow_secs = 0"),
                      .invalidValue, ["server.toml", "window_secs in [knock]", "from 1 to 300"]),
            BadConfig("knock window too long", Fixtures.server(extra: "[knock]\nwindow_secs = 301"),
                      .invalidValue, ["server.toml", "window_secs in [knock]"]),
            BadConfig("cooldown negative", Fixtures.server(extra: "[knock]\ncooldown_secs = -1"),
                      .invalidValue, ["server.toml", "cooldown_secs in [knock]"]),
            BadConfig("knock port zero", Fixtures.server(extra: "[knock]\nknock_port = 0"),
                      .invalidValue, ["server.toml", "knock_port in [knock]", "65535"]),
            BadConfig("ttl zero", Fixtures.server(extra: "[firewall]\nttl_secs = 0"),
                      .invalidValue, ["server.toml", "ttl_secs in [firewall]"]),
            BadConfig("egress port out of range", Fixtures.server(extra: "[egress]\nallow = [22, 65536]"),
                      .invalidValue, ["server.toml", "allow[1] in [egress]", "65536"]),
            BadConfig("duplicate egress port", Fixtures.server(extra: "[egress]\nallow = [22, 80, 22]"),
                      .duplicate, ["server.toml", "allow[2] in [egress]", "22", "allow[0]"]),
            BadConfig("listen is a host name", Fixtures.server(top: #"listen = "localhost:8443""#),
                      .invalidValue, ["server.toml", "listen", "\"localhost\"", "not an IPv4 or IPv6"]),
            BadConfig("listen without port", Fixtures.server(top: #"listen = "0.0.0.0""#),
                      .invalidValue, ["server.toml", "listen", "no port"]),
            BadConfig("listen port too big", Fixtures.server(top: #"listen = "0.0.0.0:70000""#),
                      .invalidValue, ["server.toml", "listen", "\"70000\""]),
            BadConfig("listen IPv6 without brackets", Fixtures.server(top: #"listen = "::1:8443""#),
                      .invalidValue, ["server.toml", "listen", "brackets"]),
            BadConfig("nft table with a dash", Fixtures.server(extra: "[firewall]\ntable = \"hy-perion\""),
                      .invalidValue, ["server.toml", "table in [firewall]", "\"hy-perion\"", "nftables"]),
            BadConfig("nft set starting with a digit", Fixtures.server(extra: "[firewall]\nset = \"4allow\""),
                      .invalidValue, ["server.toml", "set in [firewall]", "\"4allow\""]),
            BadConfig("nft set6 too long", Fixtures.server(extra: "[firewall]\nset6 = \"\(String(repeating: "a", count: 33))\""),
                      .invalidValue, ["server.toml", "set6 in [firewall]"]),
            BadConfig("set equals set6", Fixtures.server(extra: "[firewall]\nset = \"x\"\nset6 = \"x\""),
                      .duplicate, ["server.toml", "set and set6", "\"x\""]),
            BadConfig("syntax error", Fixtures.server(top: "listen = "),
                      .syntax, ["server.toml", "line 1, column", "not valid TOML"]),
            BadConfig("NUL byte", Fixtures.server(top: "listen = \"0.0.0.0:1\"\u{0}junk"),
                      .syntax, ["server.toml", "line 1, column 21", "NUL"]),
        ]
    }()

    @Test(arguments: badConfigs)
    func refuses(_ bad: BadConfig) {
        expectConfigError(bad.kind, mentioning: bad.mentions) {
            try ServerConfig.parse(text: bad.text, path: "/etc/hyperion/server.toml")
        }
    }

    @Test func inlineValueErrorDoesNotShowTheValue() {
        let secretish = "c2VjcmV0LXNlY3JldC1zZWNyZXQ"
        let error = expectConfigError(.invalidValue, mentioning: ["value in [key]"]) {
            try ServerConfig.parse(text: Fixtures.server(key: "source = \"value\"\nvalue = \"\(secretish)\""), path: "server.toml")
        }
        #expect(error?.message.contains(secretish) == false)
    }
}
