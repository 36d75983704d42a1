import Testing
@testable import HyperionConfig

@Suite struct AddressTests {
    @Test(arguments: ["0.0.0.0", "127.0.0.1", "255.255.255.255", "::", "::1", "2001:db8::1", "::ffff:192.0.2.1"])
    func parsesIPAddresses(text: String) throws {
        let ip = try #require(IPAddress(text))
        #expect(ip.description == text)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.4 ", "fe80::1%eth0", "[::1]", "localhost", ":::", "1.2.3.4\u{0}"])
    func refusesNonAddresses(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func canonicalIPv6Text() {
        #expect(IPAddress("0:0:0:0:0:0:0:1")?.description == "::1")
        #expect(IPAddress("::")?.isUnspecified == true && IPAddress("0.0.0.0")?.isUnspecified == true)
        #expect(IPAddress("::1")?.family == .v6 && IPAddress("10.0.0.1")?.family == .v4)
    }

    @Test func socketAddressOverlaps() throws {
        func address(_ text: String) throws -> SocketAddress { try SocketAddress(parsing: text) }
        #expect(try address("127.0.0.1:1").overlaps(address("127.0.0.1:1")))
        #expect(try !address("127.0.0.1:1").overlaps(address("127.0.0.1:2")))
        #expect(try !address("127.0.0.1:1").overlaps(address("127.0.0.2:1")))
        #expect(try address("0.0.0.0:1").overlaps(address("127.0.0.2:1")))
        #expect(try address("127.0.0.2:1").overlaps(address("0.0.0.0:1")))
        #expect(try !address("0.0.0.0:1").overlaps(address("[::1]:1")))
        #expect(try address("[::]:1").overlaps(address("10.0.0.1:1")))
        #expect(try address("[::1]:1").overlaps(address("[0:0::1]:1")))
        #expect(try !address("[::1]:1").overlaps(address("127.0.0.1:1")))
    }

    @Test func hostAndPortForms() throws {
        #expect(try HostAndPort(parsing: "web1.example.net:8443").host == .name("web1.example.net"))
        #expect(try HostAndPort(parsing: "web1:1").host == .name("web1"))
        #expect(try HostAndPort(parsing: "[2001:db8::1]:8443").description == "[2001:db8::1]:8443")
        #expect(try HostAndPort(parsing: "192.0.2.1:8443").host == .ip(IPAddress("192.0.2.1")!))
        for bad in ["-web:1", "web-:1", "a..b:1", "web_1:1", "1.2.3.400:1", ":8443", "web1:", "web1:+1", "[web1]:1", "[::1]8443", "[::1]"] {
            #expect(throws: ValueProblem.self, "\(bad)") { try HostAndPort(parsing: bad) }
        }
        #expect(throws: ValueProblem.self) { try HostAndPort(parsing: String(repeating: "a", count: 64) + ".net:1") }
    }

    @Test func nameRules() {
        #expect(NameRules.isServerName("a") && NameRules.isServerName("db-1.internal_x"))
        #expect(NameRules.isServerName(String(repeating: "a", count: 63)))
        #expect(!NameRules.isServerName(String(repeating: "a", count: 64)))
        #expect(!NameRules.isServerName("-a") && !NameRules.isServerName(".a") && !NameRules.isServerName("") && !NameRules.isServerName("é"))
        #expect(NameRules.isNftIdentifier("hyperion") && NameRules.isNftIdentifier("K_9"))
        #expect(NameRules.isNftIdentifier(String(repeating: "a", count: 32)))
        #expect(!NameRules.isNftIdentifier(String(repeating: "a", count: 33)))
        #expect(!NameRules.isNftIdentifier("_a") && !NameRules.isNftIdentifier("a-b") && !NameRules.isNftIdentifier("a b") && !NameRules.isNftIdentifier("@a"))
        #expect(NameRules.isEnvironmentName("_X1") && !NameRules.isEnvironmentName("1X") && !NameRules.isEnvironmentName("A=B"))
    }
}
