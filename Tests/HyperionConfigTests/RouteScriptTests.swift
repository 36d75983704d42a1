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
        #expect(lines.contains("ip -4 rule add to 203.0.113.10/32 not fwmark 0x6879 lookup 100"))
        #expect(lines.contains("ip -6 route replace 2001:db8::10/128 dev hyperion0 table 100"))
        #expect(lines.contains("ip -6 rule add to 2001:db8::10/128 not fwmark 0x6879 lookup 100"))
        // A rule is removed before it is added: running the script twice leaves one.
        let add = lines.firstIndex(of: "ip -4 rule add to 203.0.113.10/32 not fwmark 0x6879 lookup 100")!
        #expect(lines[add - 1] == "while ip -4 rule del to 203.0.113.10/32 not fwmark 0x6879 lookup 100 2>/dev/null; do :; done")
        #expect(!lines.contains { $0.hasPrefix("ip") && $0.contains("127.0.0.1") })
    }

    @Test func downRemovesWithoutFailing() {
        let lines = script.render(servers, down: true).split(separator: "\n").map(String.init)
        #expect(!lines.contains("set -e"))
        #expect(lines.contains("while ip -6 rule del to 2001:db8::10/128 not fwmark 0x6879 lookup 100 2>/dev/null; do :; done"))
        #expect(lines.contains("ip -4 route del 203.0.113.10/32 dev hyperion0 table 100 2>/dev/null || true"))
        #expect(!lines.contains { $0.contains(" add ") || $0.contains("replace") })
    }
}
