import Foundation
import Testing
@testable import HyperionTestSupport

/// The benchmark command (README, "Benchmarks") must keep working from a fresh clone: its
/// driver is run here end to end, scaled down (1 round, 1 s per iperf3 run, 300 idle
/// streams; for faults a 2 MB echo over the lab's 20 ms delay line, a 2 s blackhole and one
/// address change; for tun one round of the four TUN/-L pairs and 2 cold first flows; for
/// rootless 2 new connect and run -L processes each and 8 MB through SOCKS5 and -L; for
/// managed one round of up, status and down, then 3 servers),
/// against the debug binaries. The figures of a debug build mean nothing, so the test checks that every
/// group but argon2 (which needs PyPI) ran and produced its rows, not what they say; the
/// real figures come from `scripts/bench` on a release build (docs/PERFORMANCE.md). The
/// faults and tun groups need root (network namespaces, nftables; tun also /dev/net/tun);
/// without it the driver says why it skipped them, and that is checked instead (under
/// CI=true the skip itself fails the test).
@Suite(.serialized) struct BenchmarkDriverTests {
    static let repository = TestEnvironment.repository

    @Test func everyGroupRunsAndWritesItsRowsAsJSON() async throws {
        let tools = ["python3", "iperf3", "sshd", "ssh", "ssh-keygen"]
        let missing = tools.filter { TestEnvironment.which($0) == nil }
        guard TestEnvironment.require(missing.isEmpty, "the benchmark's tools (scripts/install-deps bench): \(missing.joined(separator: ", ")) missing") else { return }

        let directory = NSTemporaryDirectory() + "hyperion-bench-smoke-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let jsonPath = directory + "/bench.json"
        let driver = try ChildProcess(name: "bench", executable: TestEnvironment.which("python3")!, arguments: [
            "\(Self.repository)/scripts/bench.py", "--bin", TestEnvironment.binaryDirectory,
            "--only", "throughput,latency,handshake,cold,streams,faults,tun,rootless,managed", "--rounds", "1", "--seconds", "1",
            "--pings", "200", "--handshakes", "40", "--cold", "10", "--streams", "300", "--streams-timeout", "60",
            "--loss-mb", "2", "--loss-runs", "1", "--blackhole-seconds", "2", "--fault-rounds", "1", "--tun-cold", "2",
            "--rootless-tries", "2", "--rootless-mb", "8", "--managed-servers", "3",
            "--json", jsonPath,
        ], directory: directory, user: .runner)  // as root: it starts its own sshd, which logs in root (nobody's shell is nologin)
        guard let status = try await driver.waitForExit(timeout: .seconds(420)) else {
            await driver.stop(grace: .seconds(20))   // SIGTERM: the driver stops what it started
            Issue.record("scripts/bench.py did not finish within 420 s:\n\(driver.output.suffix(3000))")
            return
        }
        try #require(status == 0, "scripts/bench.py exited with \(status):\n\(driver.output.suffix(3000))")

        let table = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: jsonPath))) as? [String: Any])
        let paths = try #require(table["paths"] as? [String: [String: Double]], "no paths in \(table.keys)")
        for path in ["raw", "hyperion", "ssh", "ssh-aes"] {
            for figure in ["gbit_1", "gbit_8", "p50_us", "p99_us"] {
                #expect((paths[path]?[figure] ?? 0) > 0, "path \(path) has no \(figure): \(paths[path] ?? [:])")
            }
        }

        let goals = try #require(table["goals"] as? [[String: Any]])
        let rows = Dictionary(goals.compactMap { row in (row["goal"] as? String).map { ($0, row) } }, uniquingKeysWith: { first, _ in first })
        let measuredGoals = [
            "1 stream vs ssh (chacha20)", "1 stream vs ssh aes128-gcm", "8 streams vs ssh (chacha20)",
            "64 B ping-pong p50 vs ssh", "64 B ping-pong p99 vs ssh", "stream open on a live tunnel, p50",
            "handshake compute (server side) vs 4 X25519", "server CPU per tunnel connection vs 4 X25519",
            "cold connect p50 (no knock)", "idle streams through one tunnel",
            "RSS per idle stream, client", "RSS per idle stream, server",
            "connect: new process to first byte, p50", "SOCKS5 1 stream vs -L",
        ]
        for goal in measuredGoals {
            let row = rows[goal]
            #expect(row != nil, "no row \"\(goal)\" in \(rows.keys.sorted())")
            guard let row else { continue }
            #expect(["pass", "miss"].contains(row["result"] as? String ?? ""), "\(goal): result \(row["result"] ?? "none")")
            #expect(((row["ratio"] as? Double) ?? 0) > 0, "\(goal): ratio \(row["ratio"] ?? "none")")
        }
        // All 300 streams opened through one tunnel connection: that row passes even here.
        #expect(rows["idle streams through one tunnel"]?["result"] as? String == "pass")

        let faultRows = ["5% loss, 20 ms RTT: 2 MB echo vs direct TCP", "blackhole 2 s, then a new connection", "address change, then a new connection"]
        let faultTools = ["ip", "nft", "ethtool"].filter { TestEnvironment.which($0) == nil }
        if TestEnvironment.require(TestEnvironment.isRoot && faultTools.isEmpty, "the faults group: root, and \(faultTools.joined(separator: ", ")) (scripts/install-deps test)") {
            for goal in faultRows {
                let row = rows[goal]
                #expect(row != nil, "no row \"\(goal)\" in \(rows.keys.sorted())")
                guard let row else { continue }
                #expect(["pass", "miss"].contains(row["result"] as? String ?? ""), "\(goal): result \(row["result"] ?? "none") \(row["reference"] ?? "")")
                #expect(((row["ratio"] as? Double) ?? 0) > 0, "\(goal): ratio \(row["ratio"] ?? "none")")
            }
            #expect(!driver.output.contains("NOT byte-exact"), "\(driver.output.suffix(3000))")
        } else {
            #expect(rows["faults"]?["result"] as? String == "skipped", "no skipped faults row in \(rows.keys.sorted())")
            #expect(driver.output.contains("faults: skipped:"), "\(driver.output.suffix(3000))")
        }

        let tunRows = [
            "TUN first flow, cold server, p50",
            "TUN vs -L 1 stream up, offload on", "TUN vs -L 1 stream down (-R), offload on",
            "TUN vs -L 1 stream up, offload off", "TUN vs -L 1 stream down (-R), offload off",
        ]
        let tunReady = TestEnvironment.isRoot && faultTools.isEmpty && FileManager.default.isWritableFile(atPath: "/dev/net/tun")
        if TestEnvironment.require(tunReady, "the tun group: root, /dev/net/tun, and \(faultTools.joined(separator: ", ")) (scripts/install-deps test)") {
            for goal in tunRows {
                let row = rows[goal]
                #expect(row != nil, "no row \"\(goal)\" in \(rows.keys.sorted())")
                guard let row else { continue }
                #expect(["pass", "miss"].contains(row["result"] as? String ?? ""), "\(goal): result \(row["result"] ?? "none") \(row["reference"] ?? "")")
                #expect(((row["ratio"] as? Double) ?? 0) > 0, "\(goal): ratio \(row["ratio"] ?? "none")")
            }
            #expect(rows["  cold connect, same path, p50"] != nil, "no same-path cold connect row in \(rows.keys.sorted())")
            let tun = try #require(table["tun"] as? [String: Any], "no tun details in \(table.keys)")
            #expect((tun["route_check"] as? [String: String])?["plain"]?.contains("dev hyperion0") == true, "\(tun["route_check"] ?? "none")")
            // One round: a TUN client per offload setting, each with the kernel fast path it was asked for.
            let fastPath = tun["fast_path"] as? [String: Any]
            #expect(fastPath?["asked"] as? String == "on" && fastPath?["on_in_runs"] as? Int == 2 && fastPath?["off_in_runs"] as? Int == 0,
                    "\(tun["fast_path"] ?? "none")")
            let status = rows["managed: status round trip, p50"]
            #expect(["pass", "miss"].contains(status?["result"] as? String ?? ""), "managed status row: \(status ?? [:])")
            #expect(((rows["managed: up with 3 servers"]?["value"] as? Double) ?? 0) > 0, "no managed up row in \(rows.keys.sorted())")
            #expect(((rows["  daemon RSS, 3 servers"]?["value"] as? Double) ?? 0) > 0, "no managed RSS row in \(rows.keys.sorted())")
        } else {
            #expect(rows["tun"]?["result"] as? String == "skipped", "no skipped tun row in \(rows.keys.sorted())")
            #expect(driver.output.contains("tun: skipped:"), "\(driver.output.suffix(3000))")
        }
        #expect(!driver.output.contains("Traceback"), "\(driver.output.suffix(3000))")
    }
}
