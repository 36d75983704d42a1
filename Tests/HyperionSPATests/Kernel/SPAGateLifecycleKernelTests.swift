import Foundation
import HyperionSPA
import Testing

extension KernelTests {
    @Suite struct SPAGateLifecycle {
        @Test func elementsExpireAndAKnockAfterTheCooldownRestartsTheTimer() throws {
            guard KernelTestRequirement.met("element expiry") else { return }
            let namespaces = try NamespacePair()
            defer { namespaces.destroy() }
            try namespaces.applyRuleset(FirewallRuleset.render(tunnelPort: 8443))
            let keys = TestKeys()
            let probe = try Probe(in: namespaces, keys: keys, flags: ["ttl": "3", "cooldown": "1"])
            defer { probe.stop() }
            try #require(probe.waitUntilStarted())

            try namespaces.goKnock(to: namespaces.serverV4, keys: keys)
            _ = try probe.waitForStatistics { $0.firewallAdds == 1 }
            let first = Date()
            #expect(try namespaces.elements("knock_allow").contains("\(namespaces.adminV4) timeout 3s"))
            // After the cooldown a new knock starts the element's timer over.
            Thread.sleep(until: first.addingTimeInterval(1.5))
            try namespaces.goKnock(to: namespaces.serverV4, keys: keys)
            _ = try probe.waitForStatistics { $0.firewallAdds == 2 }
            Thread.sleep(until: first.addingTimeInterval(3.5))
            #expect(try namespaces.elements("knock_allow").contains(namespaces.adminV4), "the refreshed element expired early")
            let gone = try Shell.waitUntil(seconds: 4) { try namespaces.elements("knock_allow") == "" }
            #expect(gone, "the element did not expire")
            print("element expiry: gone \(String(format: "%.1f", Date().timeIntervalSince(first))) s after the first knock")
        }

        @Test func startRefusesWithoutTheBaseRulesetAndSaysWhatToDo() throws {
            guard KernelTestRequirement.met("verifyReady") else { return }
            let namespaces = try NamespacePair()
            defer { namespaces.destroy() }
            let keys = TestKeys()

            var probe = try Probe(in: namespaces, keys: keys)
            probe.launched.process.waitUntilExit()
            var log = probe.stop()
            #expect(probe.launched.process.terminationStatus == 2)
            #expect(log.contains("the nftables table inet hyperion does not exist"), "log: \(log)")
            #expect(log.contains("hyperion-server print-firewall --tunnel-port 8443 | nft -f -"))

            // A table without the IPv6 set, and non-default names in the hint.
            try namespaces.applyRuleset("table inet edge {\n\tset v4 {\n\t\ttype ipv4_addr\n\t\tflags timeout\n\t}\n}\n")
            probe = try Probe(in: namespaces, keys: keys, flags: ["table": "edge", "set": "v4", "set6": "v6", "tunnel-port": "2222"])
            probe.launched.process.waitUntilExit()
            log = probe.stop()
            #expect(log.contains("the set v6 (type ipv6_addr, flags timeout) is missing from table inet edge"), "log: \(log)")
            #expect(!log.contains("the set v4 "))
            #expect(log.contains("print-firewall --tunnel-port 2222 --table edge --set v4 --set6 v6 | nft -f -"))

            probe = try Probe(in: namespaces, keys: keys, flags: ["nft": "/nonexistent/nft"])
            probe.launched.process.waitUntilExit()
            log = probe.stop()
            #expect(log.contains("nft was not found"), "log: \(log)")

            // Root without CAP_NET_RAW and CAP_NET_ADMIN (dropped from the bounding set).
            guard (try? Shell.resolve("setpriv")) != nil else {
                print("setpriv is not installed: the missing-capabilities case is not checked")
                return
            }
            try namespaces.applyRuleset(FirewallRuleset.render(tunnelPort: 8443))
            probe = try Probe(in: namespaces, keys: keys, wrapper: ["setpriv", "--bounding-set", "-net_raw,-net_admin", "--"])
            probe.launched.process.waitUntilExit()
            log = probe.stop()
            #expect(log.contains("CAP_NET_RAW and CAP_NET_ADMIN are not effective"), "log: \(log)")
            #expect(log.contains("nft could not list the table inet hyperion: Operation not permitted"), "log: \(log)")
        }

        @Test func startEmptiesElementsAPreviousRunLeft() throws {
            guard KernelTestRequirement.met("reconcile") else { return }
            let namespaces = try NamespacePair()
            defer { namespaces.destroy() }
            try namespaces.applyRuleset(FirewallRuleset.render(tunnelPort: 8443))
            try Shell.run(namespaces.inServer(["nft", "add", "element", "inet", "hyperion", "knock_allow", "{", "192.0.2.9", "timeout", "1h", "}"]))
            try Shell.run(namespaces.inServer(["nft", "add", "element", "inet", "hyperion", "knock_allow6", "{", "2001:db8::9", "timeout", "1h", "}"]))
            #expect(try namespaces.elements("knock_allow").contains("192.0.2.9"))
            #expect(try namespaces.elements("knock_allow6").contains("2001:db8::9"))

            let probe = try Probe(in: namespaces, keys: TestKeys())
            defer { probe.stop() }
            try #require(probe.waitUntilStarted())
            #expect(try namespaces.elements("knock_allow") == "")
            #expect(try namespaces.elements("knock_allow6") == "")
        }
    }

    @Suite struct FirewallRulesetLoads {
        @Test func theRulesetLoadsAsPrintedAndReapplies() throws {
            guard KernelTestRequirement.met("ruleset load") else { return }
            let namespaces = try NamespacePair()
            defer { namespaces.destroy() }
            for (port, table, set, set6) in [(8443, "hyperion", "knock_allow", "knock_allow6"), (2222, "edge", "v4", "v6")] {
                let text = try FirewallRuleset.render(tunnelPort: UInt16(port), table: table, set: set, set6: set6)
                try namespaces.applyRuleset(text)
                try Shell.run(namespaces.inServer(["nft", "add", "element", "inet", table, set, "{", "192.0.2.1", "}"]))
                try namespaces.applyRuleset(text)  // again: replaces the rules, keeps the elements
                let listing = try Shell.run(namespaces.inServer(["nft", "list", "table", "inet", table])).stdout
                #expect(listing.contains("policy drop"))
                #expect(listing.contains("type ipv4_addr") && listing.contains("type ipv6_addr"))
                #expect(listing.contains("ip saddr @\(set) tcp dport \(port) accept"))
                #expect(listing.contains("ip6 saddr @\(set6) tcp dport \(port) accept"))
                #expect(listing.components(separatedBy: "ct state established,related accept").count == 2)
                #expect(listing.contains("elements = { 192.0.2.1 }"))
            }
        }
    }
}
