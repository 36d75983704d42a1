import Foundation
import HyperionConfig
import Testing
@testable import HyperionTunnel

/// The nftables heuristic on rulesets captured from a real nft (Fixtures/nftables).
@Suite struct NftablesInputVerdictTests {
    static func ruleset(_ name: String) throws -> NftablesRuleset {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures/nftables"))
        return try #require(NftablesRuleset(json: String(contentsOf: url, encoding: .utf8)))
    }

    /// "family table chain | families | reason" per chain that drops the TUN's connections.
    static func drops(_ name: String, tun: TunSection = TunSection()) throws -> [String] {
        try TunPrerequisites.droppingChains(ruleset(name), tun: tun).map { "\($0.0) | \($0.1) | \($0.2)" }
    }

    @Test func anEmptyRulesetDropsNothing() throws {
        #expect(try Self.drops("empty") == [])
    }

    @Test func aHostFirewallWithPolicyDropDropsBothFamilies() throws {
        // Its forward chain drops too, but TUN mode's packets are all local: not reported.
        #expect(try Self.drops("host-drop") == ["inet filter input | IPv4 and IPv6 | its policy drop"])
    }

    @Test func acceptingTheDeviceByNameLetsItThrough() throws {
        #expect(try Self.drops("host-drop-tun-accepted") == [])
        var other = TunSection()
        other.name = "tun7"
        #expect(try Self.drops("host-drop-tun-accepted", tun: other) == ["inet filter input | IPv4 and IPv6 | its policy drop"])
    }

    @Test func acceptingTheIPv4SubnetLeavesIPv6Dropped() throws {
        #expect(try Self.drops("subnet-v4-only") == ["inet filter input | IPv6 | its policy drop"])
        var moved = TunSection()
        moved.address = IPAddress("10.98.0.1")!
        #expect(try Self.drops("subnet-v4-only", tun: moved) == ["inet filter input | IPv4 and IPv6 | its policy drop"])
    }

    @Test func aFinalRejectAfterZoneChainsIsADrop() throws {
        // firewalld's shape: policy accept, a jump into zones that goto a zone chain, then
        // reject. The goto's end returns past the jump, to the reject.
        #expect(try Self.drops("reject-at-end") == ["inet firewalld filter_INPUT | IPv4 and IPv6 | rule handle 9 in filter_INPUT (reject)"])
    }

    @Test func anAcceptReachedThroughAJumpAndASetCounts() throws {
        // The verdict map names only lo and eth0, so the TUN falls through to the jump.
        #expect(try Self.drops("tun-in-sub-chain") == [])
        var other = TunSection()
        other.name = "wg0"
        #expect(try Self.drops("tun-in-sub-chain", tun: other) == ["inet filter input | IPv4 and IPv6 | its policy drop"])
    }

    @Test func everyBaseChainDecidesOnItsOwn() throws {
        // inet filter accepts "hyperion*"; an ip table with its own policy drop still drops IPv4.
        #expect(try Self.drops("second-table-drops") == ["ip legacy INPUT | IPv4 | its policy drop"])
    }

    @Test func aDropRuleForTheDeviceIsFoundUnderAnAcceptPolicy() throws {
        #expect(try Self.drops("input-accept-rule-drops-tun") == ["inet filter input | IPv4 and IPv6 | rule handle 2 in input (drop)"])
    }

    @Test func notJSONIsNoRuleset() {
        #expect(NftablesRuleset(json: "table inet filter {}") == nil)
        #expect(NftablesRuleset(json: "{\"other\": []}") == nil)
    }

    @Test func theReportNamesTheChainAndTheFix() throws {
        let url = try #require(Bundle.module.url(forResource: "host-drop", withExtension: "json", subdirectory: "Fixtures/nftables"))
        let checks = TunPrerequisites.nftables(.output(try String(contentsOf: url, encoding: .utf8)), tun: TunSection())
        #expect(checks.count == 1)
        guard case let .warned(text) = checks.first?.outcome else { Issue.record("\(checks)"); return }
        #expect(text.hasSuffix("Fix: nft insert rule inet filter input iifname \"hyperion0\" accept"), "\(text)")
        #expect(text.hasPrefix("inet filter input drops new connections arriving on hyperion0 (IPv4 and IPv6) by its policy drop"), "\(text)")
    }
}
