import Foundation
import Testing
@testable import HyperionTestSupport

/// `hyperion-client tun` with a fleet's worth of servers: 1,000 `[[server]]` entries, of
/// which one is real and 999 are addresses nothing answers. Pools are lazy, so the 999 cost
/// a table entry and an idle pool each, never a connection.
@Suite(.serialized) struct TunScaleTests {
    static let serverCount = 1000

    /// Two servers: the routes of the second must not send the first one's tunnel (a
    /// marked socket) into the TUN. A rule `not to B fwmark M` inverts the whole match,
    /// so it took marked traffic to A as well, and every server but the last one added
    /// lost its tunnel to its own route.
    @Test func anotherServersRouteLeavesTheTunnelAlone() async throws {
        guard SPATestbed.tunRequirementsMet() else { return }
        try await SPATestbed.run("tun-two", firewall: false) { bed in
            let other = """
                [[server]]
                name = "other"
                addr = "10.80.0.1:\(SPATestbed.tunnelPort)"
                server_pubkey = "\(bed.serverPublicKey)"
                """
            let (client, _, _) = try await bed.startTunMode(extraServers: other)
            // 0x6879: the default `[tun] mark`, which the tunnel's sockets carry.
            let marked = try await bed.admin.check(["ip", "route", "get", bed.server.v4, "mark", "0x6879"])
            #expect(!marked.contains(SPATestbed.deviceName), "the tunnel's own socket is routed into the TUN: \(marked)")
            let unmarked = try await bed.admin.check(["ip", "route", "get", bed.server.v4])
            #expect(unmarked.contains(SPATestbed.deviceName), "applications are not routed into the TUN: \(unmarked)")
            let echoes = try await bed.parallelEchoes(host: bed.server.v4, count: 2, megabytes: 5)
            #expect(echoes == ["ok", "ok"], "\(echoes)\n\(client.output.suffix(2000))")
        }
    }

    @Test func thousandServersStartFastStayIdleAndServeTheFirstFlow() async throws {
        guard SPATestbed.tunRequirementsMet() else { return }
        try await SPATestbed.run("tun-1000", firewall: false) { bed in
            try await bed.startEchoService()
            _ = try await bed.startServer(config: bed.writeTunServerConfig(allow: [SPATestbed.echoPort]))
            // 10.80.0.2 to 10.80.3.250, one each: a subnet nothing on the test network answers.
            let unreachable = (1..<Self.serverCount).map { index in
                """
                [[server]]
                name = "idle\(index)"
                addr = "10.80.\(index / 250).\(index % 250 + 1):\(SPATestbed.tunnelPort)"
                server_pubkey = "\(bed.serverPublicKey)"

                """
            }
            let config = try bed.writeTunClientConfig(extraServers: unreachable.joined(separator: "\n"))

            // Start-up: from spawning the process until it logs that the device is up.
            let launched = ContinuousClock.now
            let client = try await bed.startTunClient(config: config)
            let startup = ContinuousClock.now - launched
            #expect(client.output.contains("servers=\(Self.serverCount)"), "the client did not take all \(Self.serverCount) servers: \(client.output.suffix(2000))")

            // Idle: nothing to do but timers. One second to settle after start-up, then ~3 s.
            try await Task.sleep(for: .seconds(1))
            let before = try cpuTicks(of: client.pid)
            let idleStart = ContinuousClock.now
            try await Task.sleep(for: .seconds(3))
            let after = try cpuTicks(of: client.pid)
            let idleWall = ContinuousClock.now - idleStart
            let idleShare = Double(after - before) / Double(sysconf(Int32(_SC_CLK_TCK))) / inSeconds(idleWall)
            let rss = try residentKiB(of: client.pid)

            let routing = ContinuousClock.now
            try await bed.applyRoutes(config: config)
            let routesTime = ContinuousClock.now - routing
            // One rule, and a route per server in its table.
            #expect(try await bed.tunRules(.v4).count == 1)
            let table = try await bed.admin.check(["ip", "-4", "route", "show", "table", "26745"])
            #expect(table.split(separator: "\n").count == Self.serverCount, "\(table.prefix(500))")

            let echoes = try await bed.parallelEchoes(host: bed.server.v4, count: 1, megabytes: 5)
            #expect(echoes == ["ok"], "the first flow to the real server: \(echoes)\n\(client.output.suffix(3000))")

            print("TUN with \(Self.serverCount) servers: start-up \(seconds(startup)) s, RSS \(rss) KiB,"
                + " idle CPU \(String(format: "%.2f", idleShare * 100)) % of a core over \(seconds(idleWall)) s, print-routes | sh \(seconds(routesTime)) s")
            // Measured here (debug build, two shared cores): start-up 0.2-1.0 s, RSS about
            // 33 MiB, idle CPU 0-0.4 % of a core. The bounds sit far above that, so only a
            // real regression (a connect or a timer per server, a copy of the table per
            // pool) trips them on a loaded machine: start-up under 10 s, RSS under 200 MiB,
            // idle CPU under 5 % of one core.
            #expect(startup < .seconds(10), "start-up took \(startup)")
            #expect(rss < 200 * 1024, "RSS \(rss) KiB")
            #expect(idleShare < 0.05, "idle CPU \(idleShare * 100) % of a core")
            // Lazy pools: none of the 999 was dialled.
            #expect(!client.output.contains("10.80."), "an unused server was contacted: \(client.output.suffix(2000))")
        }
    }
}

/// User plus system CPU time of process `pid` so far, in clock ticks (/proc/PID/stat's
/// fields 14 and 15, counted after the command name, which may contain spaces).
func cpuTicks(of pid: pid_t) throws -> Int {
    let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
    guard let close = stat.lastIndex(of: ")") else { throw TestFailure("unreadable /proc/\(pid)/stat: \(stat)") }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else {
        throw TestFailure("unreadable /proc/\(pid)/stat: \(stat)")
    }
    return user + system
}
