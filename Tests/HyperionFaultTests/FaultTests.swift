import Foundation
import Testing
@testable import HyperionTestSupport

/// Issue 16's fault suite: real binaries on two hosts in network namespaces, faults made
/// by the kernel, every case byte-exact and timed. Root only (namespaces, nftables).
///
/// The time bounds are the issue's goals with no slack for a slow machine: a pool that
/// heals by luck would pass a generous bound and hide the defect.
@Suite(.serialized) struct FaultTests {
    static let payload = [UInt8].random(count: 200_000)

    /// Starts the plain (no knock) server and client plus the echo service, and checks that
    /// the forward works before the fault.
    func withTunnel(_ name: String, poolSize: Int = 2, _ body: (SPATestbed, ChildProcess, ChildProcess) async throws -> Void) async throws {
        try await SPATestbed.run("fault-\(name)", firewall: false) { testbed in
            try await testbed.startEchoService()
            let server = try await testbed.startServer(config: testbed.writeServerConfig(knock: false))
            let client = try await testbed.startClient(config: testbed.writeClientConfig(family: .v4, poolSize: poolSize, knock: false))
            let before = await testbed.timedExchange(Self.payload)
            #expect(before.ok, "the forward works before the fault: \(before.detail)")
            try await body(testbed, server, client)
        }
    }

    @Test func aKilledAndRestartedServerIsReachableAgainWithinTwoSeconds() async throws {
        try await withTunnel("restart") { testbed, server, _ in
            server.signal(SIGKILL)
            _ = try await server.waitForExit(timeout: .seconds(5))
            _ = try await testbed.startServer(config: testbed.writeServerConfig(knock: false), name: "server-2")
            let after = await testbed.timedExchange(Self.payload)
            #expect(after.ok, "\(after.detail)")
            #expect(after.seconds < 2, "the forward worked again after \(after.seconds) s")
        }
    }

    @Test func aBlackholeOfTenSecondsDelaysConnectionsButLosesNone() async throws {
        try await withTunnel("blackhole") { testbed, _, client in
            try await testbed.startBlackhole()
            let started = ContinuousClock.now
            async let early = testbed.timedExchange(Self.payload, after: .seconds(2))
            async let late = testbed.timedExchange(Self.payload, after: .seconds(6))
            try await Task.sleep(until: started + .seconds(10))
            try await testbed.endFault()
            let (opened2s, opened6s) = await (early, late)
            #expect(opened2s.ok, "opened 2 s into the blackhole: \(opened2s.detail)")
            #expect(opened6s.ok, "opened 6 s into the blackhole: \(opened6s.detail)")
            try await Task.sleep(for: .seconds(1))
            let after = await testbed.timedExchange(Self.payload)
            #expect(after.ok, "\(after.detail)")
            #expect(after.seconds < 2, "a connection 1 s after the path returned took \(after.seconds) s\n\(client.output.suffix(2000))")
        }
    }

    /// The bench's blackhole row: nothing is opened during the outage, so the pool learns of
    /// it only from its own pings, and every connection is suspect when the path returns.
    /// The first connection after it must not wait for TCP's backed-off retransmissions of
    /// those pings, nor for a suspect connection to be declared dead.
    @Test(arguments: [1, 0])
    func aSilentBlackholeOfTenSecondsIsForgottenWithinTwoSeconds(secondsAfter: Int) async throws {
        // Opened 1 s after the end: the issue's case, within 2 s. Opened at the very end:
        // within 1 s, which takes a replacement made at once (waiting for a suspect
        // connection took 1.5 to 1.7 s here, in the bench up to 3.3 s).
        let bound = secondsAfter == 0 ? 1.0 : 2.0
        try await withTunnel("blackhole-idle\(secondsAfter)") { testbed, _, client in
            try await testbed.startBlackhole()
            try await Task.sleep(for: .seconds(10))
            try await testbed.endFault()
            let after = await testbed.timedExchange(Self.payload, after: .seconds(secondsAfter))
            print("a connection \(secondsAfter) s after a silent blackhole: \(String(format: "%.2f", after.seconds)) s")
            #expect(after.ok, "\(after.detail)")
            #expect(after.seconds < bound, "a connection \(secondsAfter) s after a silent blackhole took \(after.seconds) s\n\(client.output.suffix(2000))")
        }
    }

    @Test func theTunnelsTCPConnectionsKilledMidTransferResetTheStreamAndHeal() async throws {
        try await withTunnel("kill") { testbed, _, _ in
            async let transfer = testbed.slowUpload(megabytes: 30)
            try await Task.sleep(for: .seconds(1))
            try await testbed.killTunnelConnections()
            let cut = try await transfer
            #expect(cut.contains("ConnectionResetError"), "a transfer cut mid-way ends in a reset, never as complete: \(cut)")
            let after = await testbed.timedExchange(Self.payload)
            #expect(after.ok, "\(after.detail)")
            #expect(after.seconds < 1, "a new connection after the kill took \(after.seconds) s")
        }
    }

    @Test func theAdminsNewAddressIsUsedWithinFiveSeconds() async throws {
        try await withTunnel("move") { testbed, _, client in
            try await testbed.moveAdmin(to: "10.77.0.22")
            try await Task.sleep(for: .seconds(1))
            let after = await testbed.timedExchange(Self.payload)
            #expect(after.ok, "\(after.detail)")
            #expect(after.seconds < 5, "opened 1 s after the move, it took \(after.seconds) s\n\(client.output.suffix(2000))")
        }
    }

    /// Issue 16, item 4: the handshake's timer used to start before the TCP connect, so
    /// every attempt against a silent drop ended at 3 s with "I/O on closed channel" and
    /// doctor never gave its timeout diagnosis. Now `connect_timeout_ms` means what it says.
    @Test func doctorAgainstASilentDropWaitsTheConnectTimeoutAndSaysWhy() async throws {
        try await withTunnel("doctor") { testbed, _, _ in
            try await testbed.startBlackhole()
            let config = try testbed.files.write("doctor.toml", try String(contentsOfFile: testbed.writeClientConfig(family: .v4, knock: false), encoding: .utf8)
                + "\n[limits]\nconnect_timeout_ms = 4500\n")
            let start = ContinuousClock.now
            let result = try await testbed.doctor(config: config)
            let elapsed = (ContinuousClock.now - start).seconds
            #expect(result.status != 0)
            #expect(result.output.contains("no answer: the port is filtered, the knock did not open it, or the host is down"), "\(result.output)")
            #expect(result.output.contains("timed out after 4500 ms"), "\(result.output)")
            #expect(elapsed >= 4.4, "doctor gave up after \(elapsed) s, before its 4.5 s connect timeout")
        }
    }

    @Test(arguments: [1, 5])
    func randomLossKeepsATransferByteExact(percent: Int) async throws {
        try await withTunnel("loss\(percent)") { testbed, _, _ in
            try await testbed.startLoss(percent: percent)
            let payload = [UInt8].random(count: 20 << 20)
            let result = await testbed.timedExchange(payload, timeout: 60)
            #expect(result.ok, "\(percent)% loss: \(result.detail)")
            let dropped = try await testbed.droppedPackets()
            #expect(dropped > 0, "the loss rule dropped nothing: the transfer did not cross it")
            print("20 MB echo at \(percent)% loss: \(String(format: "%.1f", result.seconds)) s")
        }
    }

    /// 10,000 short connections through a forward: nothing accumulates. Descriptors do
    /// not grow, and the client's RSS grows less than 5 % between the 2nd and the 10th
    /// thousand (the first thousands warm allocators and caches up).
    @Test func tenThousandShortConnectionsLeaveNothingBehind() async throws {
        guard TestEnvironment.require(TestEnvironment.goPeer != nil, "the Go peer (HYPERION_GO_PEER), which drives the churn") else { return }
        try await withTunnel("churn") { testbed, _, client in
            func churn(_ count: Int) async throws {
                let result = try await testbed.admin.run(
                    [TestEnvironment.goPeer!, "load", "--connect", "127.0.0.1:\(SPATestbed.forwardPort)", "--concurrent", "0",
                     "--churn", "\(count)", "--churn-parallel", "16", "--timeout", "50s"],
                    timeout: .seconds(60)
                )
                #expect(result.status == 0, "churn of \(count):\n\(result.output)")
            }
            try await churn(2000)
            let rssAfter2000 = try residentKiB(of: client.pid)
            let descriptorsAfter2000 = try openDescriptors(of: client.pid)
            try await churn(8000)
            let settled = try await eventually(timeout: .seconds(5)) { try openDescriptors(of: client.pid) <= descriptorsAfter2000 }
            let rssAfter10000 = try residentKiB(of: client.pid)
            let descriptorsAfter10000 = try openDescriptors(of: client.pid)
            #expect(settled, "descriptors: \(descriptorsAfter2000) after 2,000, \(descriptorsAfter10000) after 10,000")
            let growth = Double(rssAfter10000 - rssAfter2000) / Double(rssAfter2000)
            print("client RSS: \(rssAfter2000) KiB after 2,000 connections, \(rssAfter10000) KiB after 10,000 (\(String(format: "%+.1f", growth * 100)) %)")
            #expect(growth < 0.05, "RSS grew \(String(format: "%.1f", growth * 100)) % from \(rssAfter2000) KiB")
        }
    }

    /// With knock on, the replacement of a connection found dead must knock again: the
    /// firewall admits the admin's address only for a while after a knock.
    @Test func aBlackholeWithKnockOnEndsInAFreshKnock() async throws {
        try await SPATestbed.run("fault-spa") { testbed in
            try await testbed.startEchoService()
            let server = try await testbed.startServer(config: testbed.writeServerConfig(ttlSeconds: 30))
            let client = try await testbed.startClient(config: testbed.writeClientConfig(family: .v4))
            let before = await testbed.timedExchange(Self.payload)
            #expect(before.ok, "\(before.detail)")
            let knocksBefore = server.output.occurrences(of: "knock accepted")
            try await testbed.startBlackhole()
            async let during = testbed.timedExchange(Self.payload, after: .seconds(2))
            try await Task.sleep(for: .seconds(10))
            try await testbed.endFault()
            let opened = await during
            #expect(opened.ok, "opened during the blackhole: \(opened.detail)")
            #expect(client.output.contains("tunnel up again"), "a replacement connection came up:\n\(client.output.suffix(2000))")
            #expect(server.output.occurrences(of: "knock accepted") > knocksBefore, "the replacement knocked:\n\(server.output.suffix(2000))")
        }
    }
}
