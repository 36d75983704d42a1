import Testing
@testable import HyperionConfig

@Suite struct TunSectionTests {
    private func parse(tun: String = "", servers: String = Fixtures.serverSrvA, top: String = #"admin_static_key_file = "admin.key""#) throws -> ClientConfig {
        try ClientConfig.parse(text: Fixtures.client(top: top, servers: servers, forwards: "", extra: tun), path: "/c/client.toml")
    }

    @Test func defaultsWithoutATable() throws {
        let config = try parse()
        #expect(!config.hasTunSection)
        #expect(config.tun.name == "hyperion0")
        #expect(config.tun.address == IPAddress("10.99.0.1"))
        #expect(config.tun.peerAddress == IPAddress("10.99.0.2"))
        #expect(config.tun.address6 == IPAddress("fd68:7970::1"))
        #expect(config.tun.peerAddress6 == IPAddress("fd68:7970::2"))
        #expect(config.tun.prefix == 24 && config.tun.mtu == nil && config.tun.offload)
        #expect(config.tun.mark == 0x6879 && config.tun.table == 0x6879 && config.tun.idleSeconds == 300)
        #expect(config.tun.portHoldSeconds == 120 && config.tun.fastPath)
    }

    @Test func everyKeyIsRead() throws {
        let config = try parse(tun: """
            [tun]
            name = "tun-ops"
            addr = "172.20.0.1"
            prefix = 16
            addr6 = "fd00:1::1"
            mtu = 9000
            mark = 77
            table = 100
            idle_secs = 0
            port_hold_secs = 5
            offload = false
            fast_path = false
            """)
        #expect(config.hasTunSection)
        #expect(config.tun.name == "tun-ops" && config.tun.address == IPAddress("172.20.0.1") && config.tun.prefix == 16)
        #expect(config.tun.address6 == IPAddress("fd00:1::1") && config.tun.mtu == 9000)
        #expect(config.tun.mark == 77 && config.tun.table == 100 && config.tun.idleSeconds == 0 && !config.tun.offload)
        #expect(config.tun.portHoldSeconds == 5 && !config.tun.fastPath)
        #expect(config.tun.subnet.description == "172.20.0.0/16")
    }

    @Test func theTopLevelMarkIsTheDefault() throws {
        let config = try parse(top: "admin_static_key_file = \"admin.key\"\nmark = 4242")
        #expect(config.tun.mark == 4242)
    }

    @Test func fakeAddressesInsideTheSubnet() throws {
        let config = try parse(servers: Fixtures.serverSrvA + "\nfake_ip = \"10.99.0.10\"\nfake_ip6 = \"fd68:7970::a\"")
        #expect(config.servers[0].fakeAddress == IPAddress("10.99.0.10"))
        #expect(config.servers[0].fakeAddress6 == IPAddress("fd68:7970::a"))
    }

    static let bad: [(String, String, String, ConfigError.Kind, [String])] = [
        ("name too long", "[tun]\nname = \"hyperion-device0\"", Fixtures.serverSrvA, .invalidValue, ["name in [tun]", "1-15"]),
        ("name with a slash", "[tun]\nname = \"a/b\"", Fixtures.serverSrvA, .invalidValue, ["\"a/b\""]),
        ("addr is IPv6", "[tun]\naddr = \"fd00::1\"", Fixtures.serverSrvA, .invalidValue, ["addr in [tun]", "not an IPv4 address"]),
        ("addr6 is IPv4", "[tun]\naddr6 = \"10.0.0.1\"", Fixtures.serverSrvA, .invalidValue, ["addr6 in [tun]", "IPv6"]),
        ("addr is the network", "[tun]\naddr = \"10.99.0.0\"", Fixtures.serverSrvA, .invalidValue, ["10.99.0.0/24", "virtual peer"]),
        ("no room for the peer", "[tun]\naddr = \"10.99.0.254\"", Fixtures.serverSrvA, .invalidValue, ["virtual peer"]),
        ("prefix 31", "[tun]\nprefix = 31", Fixtures.serverSrvA, .invalidValue, ["prefix in [tun]"]),
        ("mtu too small", "[tun]\nmtu = 500", Fixtures.serverSrvA, .invalidValue, ["mtu in [tun]"]),
        ("main table", "[tun]\ntable = 254", Fixtures.serverSrvA, .invalidValue, ["table in [tun]", "kernel's own"]),
        ("unknown key", "[tun]\nmtus = 1500", Fixtures.serverSrvA, .unknownKey, ["mtus", "did you mean \"mtu\""]),
        ("fake ip outside", "", Fixtures.serverSrvA + "\nfake_ip = \"10.98.0.10\"", .invalidValue, ["fake_ip in [[server]] \"srvA\"", "outside", "10.99.0.0/24"]),
        ("fake ip is the peer", "", Fixtures.serverSrvA + "\nfake_ip = \"10.99.0.2\"", .invalidValue, ["10.99.0.2", "TUN itself uses"]),
        ("fake ip6 is IPv4", "", Fixtures.serverSrvA + "\nfake_ip6 = \"10.99.0.10\"", .invalidValue, ["fake_ip6", "IPv6"]),
        ("fake ip twice", "", Fixtures.serverSrvA + "\nfake_ip = \"10.99.0.10\"\n" + """
            [[server]]
            name = "srvB"
            addr = "127.0.0.2:8443"
            server_pubkey = "\(Fixtures.serverB)"
            fake_ip = "10.99.0.10"
            """, .duplicate, ["[[server]] \"srvB\"", "\"srvA\" already has"]),
    ]

    @Test(arguments: bad.indices) func refused(_ index: Int) {
        let (_, tun, servers, kind, mentions) = Self.bad[index]
        expectConfigError(kind, mentioning: mentions) { try parse(tun: tun, servers: servers) }
    }
}
