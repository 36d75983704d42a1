import Foundation
import Testing
@testable import HyperionSPA

@Suite struct FirewallRulesetTests {
    @Test func matchesTheGoldenText() throws {
        let url = try #require(Bundle.module.url(forResource: "ruleset-8443", withExtension: "nft", subdirectory: "Golden"))
        let golden = try String(contentsOf: url, encoding: .utf8)
        #expect(try FirewallRuleset.render(tunnelPort: 8443) == golden)
    }

    @Test func usesTheGivenNamesAndPort() throws {
        let text = try FirewallRuleset.render(tunnelPort: 2222, table: "edge", set: "v4_ok", set6: "V6ok")
        #expect(text.contains("table inet edge { }\nflush table inet edge\n"))
        #expect(text.contains("\tset v4_ok {\n\t\ttype ipv4_addr\n\t\tflags timeout\n"))
        #expect(text.contains("\tset V6ok {\n\t\ttype ipv6_addr\n\t\tflags timeout\n"))
        #expect(text.contains("\t\tip saddr @v4_ok tcp dport 2222 accept\n"))
        #expect(text.contains("\t\tip6 saddr @V6ok tcp dport 2222 accept\n"))
        #expect(text.contains("nft delete table inet edge"))
    }

    @Test func startsWithTheWarning() throws {
        let text = try FirewallRuleset.render(tunnelPort: 8443)
        let comment = text.split(separator: "\n").prefix { $0.hasPrefix("#") }.joined(separator: "\n")
        #expect(comment.contains("WARNING"))
        #expect(comment.contains("policy DROP"))
        #expect(comment.contains("out-of-band"))
        #expect(comment.contains("never applies this automatically"))
        #expect(comment.contains("Review"))
    }

    @Test(arguments: ["", "1abc", "_x", "a-b", "a b", "a;b", "a\nb", "tab\u{e9}", String(repeating: "a", count: 33), "a.b", "\"x\""])
    func refusesNamesThatAreNotPlainIdentifiers(name: String) {
        #expect(throws: SPAError.self) { try FirewallRuleset.render(tunnelPort: 8443, table: name) }
        #expect(throws: SPAError.self) { try FirewallRuleset.render(tunnelPort: 8443, set: name) }
        #expect(throws: SPAError.self) { try FirewallRuleset.render(tunnelPort: 8443, set6: name) }
    }

    @Test(arguments: ["a", "Z", "hyperion", "knock_allow6", "a_1_B", String(repeating: "a", count: 32)])
    func acceptsPlainIdentifiers(name: String) throws {
        _ = try FirewallRuleset.render(tunnelPort: 8443, table: name, set: "s4", set6: "s6")
        _ = try FirewallRuleset.render(tunnelPort: 8443, table: "t", set: name, set6: "s6")
        #expect(try NftablesIdentifier(name, what: "x").name == name)
    }

    @Test func theErrorNamesTheSettingAndTheRule() {
        do {
            _ = try FirewallRuleset.render(tunnelPort: 8443, table: "my-table")
            Issue.record("no error")
        } catch {
            #expect(error.kind == .invalidIdentifier)
            #expect(error.message == "the table name \"my-table\" is not a valid nftables name: use a letter followed by up to 31 letters, digits or underscores")
        }
    }

    @Test func refusesPortZeroAndEqualSetNames() {
        #expect(throws: SPAError.self) { try FirewallRuleset.render(tunnelPort: 0) }
        #expect(throws: SPAError.self) { try FirewallRuleset.render(tunnelPort: 8443, set: "same", set6: "same") }
    }
}
