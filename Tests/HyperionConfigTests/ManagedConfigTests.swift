import HyperionCrypto
import Testing
@testable import HyperionConfig

/// Managed mode's configs (issue 18, items 2 and 3): what `init` writes, and the edits of
/// `add-server` and `rm-server`, on text alone.
@Suite struct ManagedConfigTests {
    static let path = "/home/admin/.config/hyperion/client.toml"
    static let salt = "0123456789abcdef0123456789abcdef"

    var initial: String { ManagedClientConfig.initialText(salt: Self.salt) }

    func parse(_ text: String) throws -> ClientConfig {
        try ClientConfig.parse(text: text, path: Self.path, allowingNoServers: true)
    }

    func adding(_ name: String, _ address: String = "203.0.113.10:8443", key: String = Fixtures.serverA, to text: String) throws -> String {
        try ManagedClientConfig.adding(name: name, address: address, publicKey: key, to: text, path: Self.path).text
    }

    @Test func initWritesAKnockingPassphraseConfigWithTunDefaultsAndNoServer() throws {
        let config = try parse(initial)
        #expect(config.key == .passphrase(salt: Self.salt, passphraseEnvironment: nil))
        #expect(config.knockEnabled)
        #expect(config.hasTunSection)
        #expect(config.servers.isEmpty)
        #expect(config.adminStaticKeyFile == "/home/admin/.config/hyperion/admin.key")
        expectConfigError(.missingKey, mentioning: ["no [[server]]", "hyperion-client add-server"]) {
            try ClientConfig.parse(text: initial, path: Self.path)
        }
    }

    @Test func saltsAreFreshAndLongEnough() {
        let salts = (0..<50).map { _ in ManagedClientConfig.randomSalt() }
        #expect(Set(salts).count == salts.count)
        #expect(salts.allSatisfy { $0.utf8.count == 32 && $0.allSatisfy(\.isHexDigit) })
    }

    @Test func serversGetTheLowestFreeFakePairFromTheTenthAddress() throws {
        var text = try adding("web1", to: initial)
        text = try adding("web2", "[2001:db8::2]:8443", key: Fixtures.serverB, to: text)
        text = try adding("db1", "db.example.com:8443", to: text)
        var config = try parse(text)
        #expect(config.servers.map(\.name) == ["web1", "web2", "db1"])
        #expect(config.servers.map { $0.fakeAddress?.description } == ["10.99.0.10", "10.99.0.11", "10.99.0.12"])
        #expect(config.servers.map { $0.fakeAddress6?.description } == ["fd68:7970::a", "fd68:7970::b", "fd68:7970::c"])
        #expect(config.server(named: "web2")?.publicKey.base64 == Fixtures.serverB)

        // Removing one leaves the others' addresses alone; the next server takes the gap.
        text = try ManagedClientConfig.removing(name: "web2", from: text, path: Self.path)
        config = try parse(text)
        #expect(config.servers.map { $0.fakeAddress?.description } == ["10.99.0.10", "10.99.0.12"])
        text = try adding("web3", to: text)
        config = try parse(text)
        #expect(config.server(named: "web3")?.fakeAddress?.description == "10.99.0.11")
        #expect(config.server(named: "web3")?.fakeAddress6?.description == "fd68:7970::b")
    }

    @Test func theAllocatorFollowsTheTunSubnetAndSaysWhenItIsFull() throws {
        var text = initial.replacing("[tun]\n", with: "[tun]\naddr = \"10.50.7.1\"\nprefix = 28\naddr6 = \"fd00:1:2:3::1\"\n")
        for number in 0..<5 { text = try adding("s\(number)", to: text) }
        let config = try parse(text)
        #expect(config.servers.map { $0.fakeAddress?.description } == (10...14).map { "10.50.7.\($0)" })
        #expect(config.servers.last?.fakeAddress6?.description == "fd00:1:2:3::e")
        expectConfigError(.invalidValue, mentioning: ["no free fake address", "10.50.7.0/28", "prefix"]) {
            try adding("s5", to: text)
        }
    }

    /// Addresses an admin assigned by hand are never given out again.
    @Test func handAssignedFakeAddressesAreSkipped() throws {
        let text = initial + """

            [[server]]
            name = "manual"
            addr = "192.0.2.1:8443"
            server_pubkey = "\(Fixtures.serverA)"
            fake_ip = "10.99.0.10"

            """
        let added = try ManagedClientConfig.adding(name: "next", address: "192.0.2.2:8443", publicKey: Fixtures.serverA, to: text, path: Self.path)
        #expect(added.server.fakeAddress?.description == "10.99.0.11")
        #expect(added.server.fakeAddress6?.description == "fd68:7970::b")
    }

    @Test func editsKeepCommentsAndHandWrittenTables() throws {
        let handWritten = initial + """

            # the database, reached through a local port too
            [[server]]
            name = "db"
            addr = "192.0.2.5:8443"
            server_pubkey = "\(Fixtures.serverB)"

            [[forward]]
            local = "127.0.0.1:5433"
            server = "db"
            remote_port = 5432
            """
        var text = try adding("web1", to: handWritten)
        #expect(text.hasPrefix(handWritten), "adding only appends")
        text = try adding("web2", to: text)
        text = try ManagedClientConfig.removing(name: "web1", from: text, path: Self.path)
        #expect(text.contains("# the database, reached through a local port too"))
        #expect(text.contains("# Knock (single packet authorization)"))
        let config = try parse(text)
        #expect(config.servers.map(\.name) == ["db", "web2"])
        #expect(config.forwards.map(\.server) == ["db"])
        #expect(!text.contains("web1"))
    }

    /// A comment above a table stays with that table when the one before it goes.
    @Test func removingATableLeavesTheNextTablesCommentInPlace() throws {
        let text = try adding("web1", to: initial) + """

            # keep me: about the forward below
            [[forward]]
            local = "127.0.0.1:2222"
            server = "web1"
            remote_port = 22
            """
        expectConfigError(.conflict, mentioning: ["[[forward]]", "127.0.0.1:2222", "\"web1\"", "remove that [[forward]] first"]) {
            try ManagedClientConfig.removing(name: "web1", from: text, path: Self.path)
        }
        let other = try adding("web2", to: text)
        let removed = try ManagedClientConfig.removing(name: "web2", from: other, path: Self.path)
        #expect(removed.contains("# keep me: about the forward below\n[[forward]]"))
        #expect(try parse(removed).servers.map(\.name) == ["web1"])
    }

    @Test func badInputIsRefusedWithWhatToDo() throws {
        let text = try adding("web1", to: initial)
        expectConfigError(.duplicate, mentioning: ["\"web1\" is already configured", "rm-server web1"]) { try adding("web1", to: text) }
        expectConfigError(.invalidValue, mentioning: ["server name \"web 1\"", "1-63 letters"]) { try adding("web 1", to: text) }
        expectConfigError(.invalidValue, mentioning: ["server name \"\"", "1-63 letters"]) { try adding("", to: text) }
        // The name is a DNS name too: case does not make it another, and no part is empty.
        expectConfigError(.duplicate, mentioning: ["\"web1\", the same name in other letter case", "rm-server web1"]) { try adding("WEB1", to: text) }
        expectConfigError(.invalidValue, mentioning: ["server name \"a..b\"", "a dot may only separate"]) { try adding("a..b", to: text) }
        expectConfigError(.invalidValue, mentioning: ["server name \"db.\"", "a dot may only separate"]) { try adding("db.", to: text) }
        #expect(try parse(adding("web1.prod", to: text)).servers.map(\.name) == ["web1", "web1.prod"])
        expectConfigError(.invalidValue, mentioning: ["address \"203.0.113.10\"", "HOST:PORT"]) { try adding("web2", "203.0.113.10", to: text) }
        expectConfigError(.invalidValue, mentioning: ["address \"a\\\"b:1\"", "HOST:PORT"]) { try adding("web2", "a\"b:1", to: text) }
        expectConfigError(.invalidValue, mentioning: ["the server's public key", "hyperion-server init"]) { try adding("web2", key: "abc", to: text) }
        expectConfigError(.unknownServer, mentioning: ["no server called \"web9\"", "configured: web1"]) {
            try ManagedClientConfig.removing(name: "web9", from: text, path: Self.path)
        }
        expectConfigError(.unknownServer, mentioning: ["none is configured"]) {
            try ManagedClientConfig.removing(name: "web1", from: initial, path: Self.path)
        }
    }

    @Test func serverInitWritesAKnockingConfigForTheAdmin() throws {
        let path = "/etc/hyperion/server.toml"
        let text = try ManagedServerConfig.text(.init(salt: Self.salt, adminKey: Fixtures.admin, allow: "22, 5432", listen: "[::]:9443"), path: path)
        let config = try ServerConfig.parse(text: text, path: path)
        #expect(config.key == .passphrase(salt: Self.salt, passphraseEnvironment: nil))
        #expect(config.identity.adminPublicKeys.map(\.base64) == [Fixtures.admin])
        #expect(config.identity.staticKeyFile == "/etc/hyperion/server.key")
        #expect(config.egress.allowedPorts == [22, 5432])
        #expect(config.knock.isEnabled)
        #expect(config.listen.description == "[::]:9443")

        let defaults = try ServerConfig.parse(text: ManagedServerConfig.text(.init(salt: Self.salt, adminKey: Fixtures.admin, allow: nil, listen: nil), path: path), path: path)
        #expect(defaults.egress.allowedPorts.isEmpty)
        #expect(defaults.listen.description == "0.0.0.0:8443")
    }

    @Test func serverInitRefusesEachBadArgumentByName() {
        func text(salt: String = Self.salt, admin: String = Fixtures.admin, allow: String? = nil, listen: String? = nil) throws -> String {
            try ManagedServerConfig.text(.init(salt: salt, adminKey: admin, allow: allow, listen: listen), path: "server.toml")
        }
        expectConfigError(.invalidValue, mentioning: ["--salt is 5 bytes", "hyperion-client init"]) { try text(salt: "short") }
        expectConfigError(.invalidValue, mentioning: ["--salt has control characters"]) { try text(salt: "abcdefgh\"\n[x]") }
        expectConfigError(.invalidValue, mentioning: ["--admin-key", "hyperion-client init"]) { try text(admin: "nope") }
        expectConfigError(.invalidValue, mentioning: ["--allow \"22,x\"", "\"x\" is not a port"]) { try text(allow: "22,x") }
        expectConfigError(.invalidValue, mentioning: ["\"0\" is not a port"]) { try text(allow: "0") }
        expectConfigError(.invalidValue, mentioning: ["\"70000\" is not a port"]) { try text(allow: "70000") }
        expectConfigError(.duplicate, mentioning: ["port 22 twice"]) { try text(allow: "22,22") }
        expectConfigError(.invalidValue, mentioning: ["--listen \"1.2.3:4\"", "IP:PORT"]) { try text(listen: "1.2.3:4") }
    }

    /// Whatever a salt holds, it stays one TOML string: a quote or backslash cannot end it.
    @Test func tomlStringsEscapeWhatWouldEndThem() throws {
        let salt = #"a"b\c'd]e#f"#
        let config = try parse(ManagedClientConfig.initialText(salt: salt))
        #expect(config.key == .passphrase(salt: salt, passphraseEnvironment: nil))
        #expect(TOMLText.string("\u{1}\t") == #""\u0001\t""#)
    }
}
