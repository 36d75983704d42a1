import Foundation
import HyperionSPA
import Testing

/// Kernel-level tests: real namespaces, the real ruleset loaded with `nft -f`, the gate
/// running in `hyperion-spa-probe` and real knocks from the Go peer. Serialized so that
/// timing checks do not compete with each other for the two cores.
@Suite(.serialized) enum KernelTests {}

extension KernelTests {
    @Suite struct SPAGate {
        /// Sets up namespaces with the base ruleset and a started probe, runs `body`, and
        /// always stops the probe and deletes the namespaces.
        func withGate(
            _ test: String, flags: [String: String] = [:], body: (NamespacePair, TestKeys, Probe) throws -> Void
        ) throws {
            guard KernelTestRequirement.met(test) else { return }
            let namespaces = try NamespacePair()
            defer { namespaces.destroy() }
            try namespaces.applyRuleset(FirewallRuleset.render(tunnelPort: 8443))
            let keys = TestKeys()
            let probe = try Probe(in: namespaces, keys: keys, flags: flags)
            defer { probe.stop() }
            try #require(probe.waitUntilStarted(), "the probe did not start: \(probe.log)")
            try body(namespaces, keys, probe)
        }

        @Test func validKnocksOpenTheTunnelPortForTheirSourceOnly() throws {
            try withGate("valid knocks", flags: ["cooldown": "5", "ttl": "30"]) { namespaces, keys, probe in
                let listener = try Shell.launch(namespaces.inServer(["python3", "-c", """
                    import socket
                    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(('::', 8443)); s.listen(16)
                    while True: s.accept()[0].close()
                    """]))
                defer { listener.terminate(grace: 0); listener.removeFiles() }
                // Before any knock the tunnel port is closed (dropped) for both families.
                #expect(try !namespaces.adminCanConnect(to: namespaces.serverV4, port: 8443, timeout: 0.7))

                try namespaces.goKnock(to: namespaces.serverV4, keys: keys)
                var stats = try probe.waitForStatistics { $0.firewallAdds == 1 }
                #expect(stats.firewallAdds == 1)
                let elements = try namespaces.elements("knock_allow")
                #expect(elements.contains("\(namespaces.adminV4) timeout 30s expires"), "set: \(elements)")
                #expect(try namespaces.elements("knock_allow6") == "")
                #expect(try namespaces.adminCanConnect(to: namespaces.serverV4, port: 8443))
                #expect(try !namespaces.adminCanConnect(to: namespaces.serverV6, port: 8443, timeout: 0.7))

                try namespaces.goKnock(to: namespaces.serverV6, keys: keys)
                stats = try probe.waitForStatistics { $0.firewallAdds == 2 }
                let elements6 = try namespaces.elements("knock_allow6")
                #expect(elements6.contains("\(namespaces.adminV6) timeout 30s expires"), "set6: \(elements6)")
                #expect(try namespaces.adminCanConnect(to: namespaces.serverV6, port: 8443))

                // Cooldown: a second valid knock from the same source costs no nft call.
                try namespaces.goKnock(to: namespaces.serverV4, keys: keys)
                stats = try probe.waitForStatistics { $0.knocksAccepted == 3 }
                #expect(stats.knocksAccepted == 3)
                #expect(stats.firewallAdds == 2)
                #expect(stats.cooldownSkips == 1)
                #expect(stats.rejections.isEmpty)

                let log = probe.stop()
                #expect(log.components(separatedBy: "knock accepted").count - 1 == 3, "log: \(log)")
                #expect(log.components(separatedBy: "tunnel port opened").count - 1 == 2)
                #expect(log.contains("source=\(namespaces.adminV4)") && log.contains("source=\(namespaces.adminV6)"))
                #expect(!log.contains(keys.pskBase64))
            }
        }

        @Test func badKnocksAreRefusedAndCountedByReason() throws {
            try withGate("bad knocks") { namespaces, keys, probe in
                let now = Int(Date().timeIntervalSince1970)
                let server = namespaces.serverV4
                try namespaces.goKnock(to: server, keys: keys, psk: TestKeys().pskBase64)  // wrong PSK
                try namespaces.goKnock(to: server, keys: keys, serverPublic: TestKeys().serverPublic)  // another server
                try namespaces.goKnock(to: server, keys: keys, time: now - 120)  // stale
                try namespaces.goKnock(to: namespaces.serverV6, keys: keys, time: now + 120)  // from the future
                var tampered = Array(try namespaces.goKnock(to: nil, keys: keys))
                tampered[40] = tampered[40] == "0" ? "1" : "0"  // one bit of the ciphertext
                let wrongLength = String(try namespaces.goKnock(to: nil, keys: keys).dropLast(2))
                let badMagic = "58585858" + String(try namespaces.goKnock(to: nil, keys: keys).dropFirst(8))
                try namespaces.sendDatagrams(hex: [String(tampered), wrongLength, badMagic], to: server, port: 8443)

                // Traffic that is not UDP to the knock port never reaches user space.
                try namespaces.sendDatagrams(hex: ["00", "48565048"], to: server, port: 8444)
                #expect(try !namespaces.adminCanConnect(to: server, port: 8443, timeout: 0.3))
                _ = try Shell.run(namespaces.inAdmin(["ping", "-c", "2", "-i", "0.2", "-W", "1", server]), check: false)

                var stats = try probe.waitForStatistics { $0.rejections.values.reduce(0, +) >= 7 }
                #expect(stats.rejections == [
                    "authentication failed": 3, "stale": 1, "from the future": 1, "wrong length": 1, "bad magic": 1,
                ])
                #expect(stats.framesReceived == 7)
                #expect(stats.knocksAccepted == 0 && stats.firewallAdds == 0)
                #expect(try namespaces.elements("knock_allow") == "")
                #expect(try namespaces.elements("knock_allow6") == "")

                // A replay of the exact bytes of an accepted knock is refused.
                let valid = try namespaces.goKnock(to: nil, keys: keys)
                try namespaces.sendDatagrams(hex: [valid, valid], to: server, port: 8443)
                stats = try probe.waitForStatistics { $0.rejections["replayed"] == 1 }
                #expect(stats.rejections["replayed"] == 1)
                #expect(stats.knocksAccepted == 1 && stats.firewallAdds == 1)

                // One summary line per interval instead of one line per datagram.
                #expect(Shell.waitUntil(seconds: 3) { probe.log.contains("3 authentication failed") }, "log: \(probe.log)")
                #expect(!probe.log.contains("stale\n") && probe.log.components(separatedBy: "refused ").count <= 4)
            }
        }

        @Test func survivesAFloodOfJunkAndStillAcceptsAKnock() throws {
            try withGate("flood") { namespaces, keys, probe in
                // 10,000 junk datagrams to the knock port: random lengths, a tenth of them
                // 44 bytes starting with the magic, so they cost a ChaCha20-Poly1305 open.
                let flood = try Shell.run(namespaces.inAdmin(["python3", "-c", """
                    import os, socket, sys, time
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    start = time.monotonic()
                    for i in range(10000):
                        payload = b'HVPK' + os.urandom(40) if i % 10 == 0 else os.urandom(i % 200)
                        s.sendto(payload, (sys.argv[1], 8443))
                    print(round(time.monotonic() - start, 3))
                    """, namespaces.serverV4]))
                let sent = Date()
                try namespaces.goKnock(to: namespaces.serverV4, keys: keys)
                let stats = try probe.waitForStatistics(seconds: 5) { $0.firewallAdds == 1 }
                let latency = Date().timeIntervalSince(sent)
                print("flood: sent 10000 junk datagrams in \(flood.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) s;"
                      + " knock accepted \(String(format: "%.2f", latency)) s after the flood;"
                      + " frames \(stats.framesReceived), kernel drops \(stats.kernelDrops), rejections \(stats.rejections)")
                #expect(stats.firewallAdds == 1)
                #expect(latency < 2.0)
                #expect(stats.framesReceived + stats.kernelDrops >= 10_001)
                #expect(try namespaces.elements("knock_allow").contains(namespaces.adminV4))
                #expect(Shell.waitUntil(seconds: 3) { probe.log.contains("refused ") }, "no summary line: \(probe.log)")
                #expect(probe.log.split(separator: "\n").count < 20, "the flood must not be logged per datagram")
            }
        }
    }
}
