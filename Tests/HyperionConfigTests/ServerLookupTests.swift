import HyperionCrypto
import Testing
@testable import HyperionConfig

/// What `connect` (and SOCKS5) accept as a server: issue 19, items 1 and 3.
@Suite struct ServerLookupTests {
    let servers: [ClientConfig.Server] = {
        let text = ManagedClientConfig.initialText(salt: "0123456789abcdef") + """

            [[server]]
            name = "web1"
            addr = "203.0.113.10:8443"
            server_pubkey = "\(Fixtures.serverA)"
            fake_ip = "10.99.0.10"
            fake_ip6 = "fd68:7970::a"

            [[server]]
            name = "db"
            addr = "db.example.com:8443"
            server_pubkey = "\(Fixtures.serverB)"

            [[server]]
            name = "v6"
            addr = "[2001:db8::5]:8443"
            server_pubkey = "\(Fixtures.serverB)"

            [[server]]
            name = "twin-a"
            addr = "192.0.2.7:8443"
            server_pubkey = "\(Fixtures.serverA)"

            [[server]]
            name = "twin-b"
            addr = "192.0.2.7:9443"
            server_pubkey = "\(Fixtures.serverB)"
            """
        return try! ClientConfig.parse(text: text, path: "client.toml").servers
    }()

    func name(_ host: String) -> String? {
        if case .found(let server) = ServerLookup.find(host, in: servers) { return server.name }
        return nil
    }

    @Test func namesDomainNamesAddressesAndFakeAddresses() {
        #expect(name("web1") == "web1")
        #expect(name("WEB1") == "web1")
        #expect(name("web1.hyperion") == "web1")
        #expect(name("Web1.Hyperion.") == "web1")
        #expect(name("203.0.113.10") == "web1")
        #expect(name("10.99.0.10") == "web1")
        #expect(name("fd68:7970::a") == "web1")
        #expect(name("[fd68:7970::a]") == "web1")
        #expect(name("db.example.com") == "db")
        #expect(name("DB.example.com") == "db")
        #expect(name("2001:db8::5") == "v6")
        #expect(name("2001:0db8:0:0::5") == "v6", "an IPv6 address in another spelling")
    }

    @Test func unknownAndAmbiguousHostsAreSaidSo() {
        #expect(ServerLookup.find("web2", in: servers) == .unknown)
        #expect(ServerLookup.find("web2.hyperion", in: servers) == .unknown)
        #expect(ServerLookup.find("203.0.113.11", in: servers) == .unknown)
        #expect(ServerLookup.find("example.com", in: servers) == .unknown)
        #expect(ServerLookup.find("192.0.2.7", in: servers) == .ambiguous(["twin-a", "twin-b"]))
        #expect(ServerLookup.find("twin-a", in: servers) != .unknown, "a name is never ambiguous")
    }
}
