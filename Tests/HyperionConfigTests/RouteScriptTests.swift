import Testing
@testable import HyperionConfig

@Suite struct RouteScriptTests {
    let script = RouteScript(device: "hyperion0", mark: 0x6879, table: 100)
    let servers: [(server: String, addresses: [IPAddress])] = [
        ("a", [IPAddress("203.0.113.10")!, IPAddress("2001:db8::10")!]),
        ("local", [IPAddress("127.0.0.1")!]),
    ]

    @Test func upRoutesEachAddressUnlessMarked() {
        let lines = script.render(servers, down: false).split(separator: "\n").map(String.init)
        #expect(lines.first == "#!/bin/sh")
        #expect(lines.contains("set -e"))
        #expect(lines.contains("ip -4 route replace 203.0.113.10/32 dev hyperion0 table 100"))
        #expect(lines.contains("ip -6 route replace 2001:db8::10/128 dev hyperion0 table 100"))
        // One rule per family, after the routes, removed before it is added: running the
        // script twice leaves one.
        for family in ["-4", "-6"] {
            let add = "ip \(family) rule add not fwmark 0x6879 lookup 100"
            #expect(lines.filter { $0 == add }.count == 1, "\(lines)")
            let index = lines.firstIndex(of: add) ?? 0
            #expect(lines[index - 1] == "while ip \(family) rule del not fwmark 0x6879 lookup 100 2>/dev/null; do :; done")
            #expect(index > lines.lastIndex { $0.contains("route replace") }!)
        }
        #expect(!lines.contains { $0.hasPrefix("ip") && $0.contains("127.0.0.1") })
    }

    /// A rule per address, `not to B fwmark M`, negates both selectors together: it matched
    /// the tunnel's marked traffic to any other server and sent it into the TUN. No rule may
    /// name an address.
    @Test func noRuleNamesAnAddress() {
        let two: [(server: String, addresses: [IPAddress])] = [("a", [IPAddress("203.0.113.10")!]), ("b", [IPAddress("203.0.113.11")!])]
        let rules = script.render(two, down: false).split(separator: "\n").filter { $0.contains(" rule ") }
        #expect(rules.count == 2, "\(rules)")
        #expect(!rules.contains { $0.contains(" to ") || $0.contains("203.0.113.") }, "\(rules)")
    }

    @Test func onlyTheFamiliesInUseGetARule() {
        let lines = script.render([("a", [IPAddress("2001:db8::10")!])], down: false).split(separator: "\n")
        #expect(lines.contains("ip -6 rule add not fwmark 0x6879 lookup 100"))
        #expect(!lines.contains { $0.hasPrefix("ip -4") || $0.contains("ip -4 rule") }, "\(lines)")
    }

    @Test func downRemovesWithoutFailing() {
        let lines = script.render(servers, down: true).split(separator: "\n").map(String.init)
        #expect(!lines.contains("set -e"))
        #expect(lines.contains("while ip -4 rule del not fwmark 0x6879 lookup 100 2>/dev/null; do :; done"))
        #expect(lines.contains("while ip -6 rule del not fwmark 0x6879 lookup 100 2>/dev/null; do :; done"))
        #expect(lines.contains("ip -4 route del 203.0.113.10/32 dev hyperion0 table 100 2>/dev/null || true"))
        #expect(!lines.contains { $0.contains(" add ") || $0.contains("replace") })
    }
}
