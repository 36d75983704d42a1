import Foundation
import Testing
@testable import HyperionTestSupport

/// `hyperion-client tun` against the real kernel: applications on the admin host reach the
/// server at its real IPv4 address (through the routes `print-routes` prints) and at its
/// fake addresses, with the kernel's own TCP at both ends of each application connection.
@Suite(.serialized) struct TunModeTests {
    @Test func realAndFakeAddressesCarryParallelEchoesByteExact() async throws {
        guard SPATestbed.tunRequirementsMet() else { return }
        try await SPATestbed.run("tun-echo", firewall: false) { bed in
            let (_, _, config) = try await bed.startTunMode()
            // Applying the script a second time leaves one rule per address.
            try await bed.applyRoutes(config: config)
            let rules = try await bed.tunRules()
            #expect(rules.count == 1, "\(rules)")

            let real = try await bed.parallelEchoes(host: bed.server.v4, count: 8, megabytes: 20)
            #expect(real == Array(repeating: "ok", count: 8), "\(real)")
            let fake = try await bed.parallelEchoes(host: SPATestbed.fakeV4, count: 4, megabytes: 5)
            #expect(fake == Array(repeating: "ok", count: 4), "\(fake)")
            let fake6 = try await bed.parallelEchoes(host: SPATestbed.fakeV6, count: 8, megabytes: 20)
            #expect(fake6 == Array(repeating: "ok", count: 8), "\(fake6)")

            // --down, twice: the rules are gone, and the server's address is reached
            // directly again, where nothing listens on the echo port.
            try await bed.applyRoutes(config: config, down: true)
            try await bed.applyRoutes(config: config, down: true)
            #expect(try await bed.tunRules().isEmpty)
            let direct = try await bed.connectOutcome(host: bed.server.v4, port: SPATestbed.echoPort)
            #expect(direct.outcome == "ECONNREFUSED", "\(direct)")
        }
    }

    @Test func refusalsAreTheErrorsApplicationsKnow() async throws {
        guard SPATestbed.tunRequirementsMet() else { return }
        try await SPATestbed.run("tun-refuse", firewall: false) { bed in
            let (client, server, _) = try await bed.startTunMode(streamWaitMilliseconds: 1500)
            // Warm the pool so the times below are the refusal's, not the first connect's.
            #expect(try await bed.parallelEchoes(host: bed.server.v4, count: 1, megabytes: 1) == ["ok"])

            // A port outside the server's allow list: refused, at once, as by the server itself.
            for host in [bed.server.v4, SPATestbed.fakeV4, SPATestbed.fakeV6] {
                let denied = try await bed.connectOutcome(host: host, port: 5432)
                #expect(denied.outcome == "ECONNREFUSED" && denied.seconds < 1, "\(host): \(denied)")
            }
            // An address of the TUN's subnet with no server: no route to that host.
            let nobody = try await bed.connectOutcome(host: "10.99.0.77", port: 22)
            #expect(nobody.outcome == "EHOSTUNREACH" && nobody.seconds < 1, "\(nobody)")

            // No tunnel: the server is gone; after stream_wait_ms, no route to host.
            server.signal(SIGKILL)
            _ = try await server.waitForExit(timeout: .seconds(10))
            let noTunnel = try await bed.connectOutcome(host: bed.server.v4, port: SPATestbed.echoPort)
            #expect(noTunnel.outcome == "EHOSTUNREACH" && noTunnel.seconds < 5, "\(noTunnel)")
            #expect(client.output.contains("the server denied port 5432"), "\(client.output)")
        }
    }

    @Test func lossOnTheTunIsTheKernelsToRecover() async throws {
        guard SPATestbed.tunRequirementsMet() else { return }
        try await SPATestbed.run("tun-loss", firewall: false) { bed in
            // Plain 1500-byte packets, so each drop is one segment, as on a real link.
            _ = try await bed.startTunMode(tun: "offload = false\nmtu = 1500")
            for percent in [1, 5] {
                try await bed.startTunLoss(percent: percent)
                let echoes = try await bed.parallelEchoes(host: bed.server.v4, count: 1, megabytes: 20, timeout: .seconds(150))
                #expect(echoes == ["ok"], "\(percent)% loss: \(echoes)")
                #expect(try await bed.tunDroppedPackets() > 0, "\(percent)% loss dropped nothing: not in the path")
                try await bed.endTunLoss()
            }
        }
    }

    @Test func manyConnectionsLeaveNothingBehind() async throws {
        guard SPATestbed.tunRequirementsMet() else { return }
        try await SPATestbed.run("tun-many", firewall: false) { bed in
            let (client, _, _) = try await bed.startTunMode(tun: "port_hold_secs = 2")
            #expect(try await bed.parallelEchoes(host: bed.server.v4, count: 1, megabytes: 1) == ["ok"])
            let baseline = try residentKiB(of: client.pid)
            let echoes = try await bed.parallelEchoes(host: bed.server.v4, count: 200, megabytes: 0)
            #expect(echoes.filter { $0 == "ok" }.count == 200, "\(Set(echoes))")
            // Past the ports' hold every flow is gone; the stop line counts what is left.
            try await Task.sleep(for: .seconds(4))
            let after = try residentKiB(of: client.pid)
            #expect(after < baseline + 20 * 1024, "RSS grew from \(baseline) KiB to \(after) KiB")
            let stopLine = try await SPATestbed.stopTunClient(client) ?? ""
            #expect(stopLine.contains("live_flows=0"), "\(client.output.suffix(2000))")
            #expect(stopLine.contains("flows_opened=201"), "\(stopLine)")
            #expect(try await bed.admin.run(["ip", "link", "show", SPATestbed.deviceName]).status != 0, "the device outlived the client")
        }
    }
}
