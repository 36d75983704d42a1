import Foundation
import Testing
@testable import HyperionTestSupport

/// Issue 20's attacks on the tunnel port, from an attacker host without the keys: replayed
/// handshakes, idle connections, and a flood of junk. The admin must stay in, no attacker
/// may be logged as an admin, and the server's log and memory must stay small. Knock off:
/// these are the defences of the tunnel port itself, for servers that run without it.
@Suite(.serialized) struct HandshakeAbuseTests {
    static let port = SPATestbed.tunnelPort

    /// A real client's message 1, captured by a listener standing in for the server, is
    /// replayed 300 times at once: every copy is closed within 4 s, at most one gets a
    /// message 2 (the first, which the server had not seen: the rest are dropped as
    /// replays), none is logged as an admin, and the real admin's doctor passes meanwhile.
    @Test func replayedMessage1IsNeverAnAdmin() async throws {
        try await SPATestbed.run("replay", firewall: false) { bed in
            let server = try await bed.startServer(config: bed.writeServerConfig(knock: false))
            let message1 = try await captureMessage1(bed)

            let replay = try HandshakeAbuse.launch(
                "replay", HandshakeAbuse.replay, [bed.server.v4, "\(Self.port)", message1, "300"], on: bed.attacker, in: bed
            )
            let doctor = try await bed.doctor(config: bed.writeClientConfig(family: .v4, knock: false))
            #expect(try await replay.waitForExit(timeout: .seconds(60)) == 0, "replay:\n\(replay.output)")
            let report = try AbuseReport(replay.output)
            print("replay: \(report.values); doctor:\n\(doctor.output)")
            #expect(doctor.status == 0, "doctor during the replays:\n\(doctor.output)")
            #expect(report["sent"] + report["refused_at_connect"] == 300)
            #expect(report["closed"] == report["sent"] && report["still_open"] == 0, "\(report.values)")
            #expect(report["max_open_seconds"] < 4, "\(report.values)")
            #expect(report["answered"] <= 1, "replays must be dropped before message 2: \(report.values)")

            let adminLines = server.output.split(separator: "\n").filter { $0.contains("admin connected") }
            #expect(!adminLines.contains { $0.contains(bed.attacker.v4) }, "an attacker was logged as an admin:\n\(server.output)")
            #expect(adminLines.contains { $0.contains(bed.admin.v4) }, "the admin's doctor was not logged:\n\(server.output)")
            // The refusals are counted, and summarised within the 10 s interval.
            #expect(try await server.waitForOutput("replayed message 1", timeout: .seconds(30)), "\(server.output)")
            print("replay: server summary: \(server.output.split(separator: "\n").filter { $0.contains("refused") })")
        }
    }

    /// 1,000 idle connections from the attacker, renewed as they close: the admin's
    /// handshake still completes within 2 s.
    @Test func idleConnectionsDoNotLockTheAdminOut() async throws {
        try await SPATestbed.run("idle", firewall: false) { bed in
            let server = try await bed.startServer(config: bed.writeServerConfig(knock: false))
            let holder = try HandshakeAbuse.launch(
                "idle", HandshakeAbuse.holdIdle, [bed.server.v4, "\(Self.port)", "1000", "25"], on: bed.attacker, in: bed
            )
            #expect(try await holder.waitForOutput("holding", timeout: .seconds(30)), "\(holder.output)")
            let config = try bed.writeClientConfig(family: .v4, knock: false)
            var handshakes: [Double] = []
            for _ in 0..<3 {
                let doctor = try await bed.doctor(config: config)
                #expect(doctor.status == 0, "doctor while 1,000 idle connections are held:\n\(doctor.output)\nserver:\n\(server.output)")
                handshakes.append(Self.handshakeMilliseconds(doctor.output) ?? .infinity)
            }
            #expect(try await holder.waitForExit(timeout: .seconds(60)) == 0, "\(holder.output)")
            let report = try AbuseReport(holder.output)
            print("idle: \(report.values); the admin's handshakes took \(handshakes) ms")
            #expect(report["renewed"] > 0, "the server never closed an idle connection: \(report.values)")
            #expect(handshakes.allSatisfy { $0 < 2000 }, "handshakes \(handshakes) ms")
        }
    }

    /// Four processes on four source addresses send random 96-byte message 1s and junk for
    /// 10 s. The admin's stream works during the flood, the server's resident set stays
    /// under 96 MiB, and its log under 40 lines.
    @Test func junkFloodLeavesTheAdminInAndTheLogShort() async throws {
        try await SPATestbed.run("junk", firewall: false) { bed in
            let server = try await bed.startServer(config: bed.writeServerConfig(knock: false))
            try await bed.startEchoService()
            _ = try await bed.startClient(config: bed.writeClientConfig(family: .v4, knock: false))
            let baseline = try residentKiB(of: server.pid)

            let modes = ["message1", "message1", "junk", "junk"]
            var flooders: [ChildProcess] = []
            for (index, mode) in modes.enumerated() {
                let source = "10.77.0.\(30 + index)"
                try await bed.attacker.check([SystemTool.ip, "addr", "add", "\(source)/24", "dev", "eth0"])
                flooders.append(try HandshakeAbuse.launch(
                    "flood-\(index)", HandshakeAbuse.flood, [bed.server.v4, "\(Self.port)", mode, "10", source], on: bed.attacker, in: bed
                ))
            }
            var peak = baseline
            var exchanges = 0
            let started = ContinuousClock.now
            while ContinuousClock.now - started < .seconds(9) {
                let payload = [UInt8].random(count: 64 * 1024)
                #expect(sameBytes(try await bed.exchangeThroughForward(payload), payload), "a stream during the flood")
                exchanges += 1
                peak = max(peak, try residentKiB(of: server.pid))
                try await Task.sleep(for: .milliseconds(250))
            }
            var connections = 0.0
            for flooder in flooders {
                #expect(try await flooder.waitForExit(timeout: .seconds(30)) == 0, "\(flooder.output)")
                connections += try AbuseReport(flooder.output)["connections"]
            }
            peak = max(peak, try residentKiB(of: server.pid))
            let payload = [UInt8].random(count: 64 * 1024)
            #expect(sameBytes(try await bed.exchangeThroughForward(payload), payload), "a stream after the flood")

            // Wait for the summary of the flood's last interval.
            #expect(try await server.waitForOutput("refused", count: 2, timeout: .seconds(30)), "\(server.output)")
            let lines = server.output.split(separator: "\n")
            print("junk flood: \(Int(connections)) connections; \(exchanges) exchanges during it; server RSS \(baseline) KiB before,"
                  + " peak \(peak) KiB; server log \(lines.count) lines:\n\(server.output)")
            #expect(connections > 1000, "the flood was too weak to prove anything")
            #expect(peak < 96 * 1024, "server RSS peaked at \(peak) KiB")
            #expect(lines.count < 40, "the flood must be summarised, not logged per connection:\n\(server.output)")
            #expect(!lines.contains { $0.contains("admin connected") && $0.contains("10.77.0.3") })
        }
    }

    /// Runs the admin's doctor against a listener on another port of the server host, which
    /// records the message 1 it sends (and never answers).
    private func captureMessage1(_ bed: SPATestbed) async throws -> String {
        let capturePort = Self.port + 1
        let capture = try HandshakeAbuse.launch("capture", HandshakeAbuse.captureMessage1, ["\(capturePort)"], on: bed.server, in: bed)
        #expect(try await capture.waitForOutput("ready"))
        let config = try bed.writeClientConfig(name: "capture.toml", family: .v4, address: "\(bed.server.v4):\(capturePort)", knock: false)
        _ = try await bed.doctor(config: config)
        #expect(try await capture.waitForOutput("message1"))
        guard let line = capture.output.split(separator: "\n").first(where: { $0.hasPrefix("message1 ") }) else {
            throw TestFailure("no message 1 captured:\n\(capture.output)")
        }
        let hex = String(line.dropFirst("message1 ".count))
        guard hex.count == 2 * 98 else { throw TestFailure("message 1 is \(hex.count / 2) bytes, not 98") }
        return hex
    }

    /// The duration on doctor's `handshake` line ("  ok   handshake  12.3 ms").
    static func handshakeMilliseconds(_ output: String) -> Double? {
        guard let line = output.split(separator: "\n").first(where: { $0.contains("ok") && $0.contains("handshake") }) else { return nil }
        let fields = line.split(separator: " ")
        guard let index = fields.firstIndex(of: "ms"), index > 0 else { return nil }
        return Double(fields[index - 1])
    }
}
