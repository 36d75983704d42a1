import Testing
@testable import HyperionTestSupport

extension SPAEndToEndTests {
    /// Ten thousand junk datagrams to the knock port, then the admin's client knocks: it
    /// gets in at once, the attacker does not, and the server's log stays a few lines long.
    @Test func aJunkFloodDoesNotLockTheAdminOutNorFloodTheLog() async throws {
        try await SPATestbed.run("flood") { bed in
            let server = try await bed.startServer(config: bed.writeServerConfig())
            try await bed.startEchoService()
            let note = try await UDPSender.flood(count: 10_000, from: bed.attacker, to: bed.server.v4, port: Self.port)

            let started = ContinuousClock.now
            _ = try await bed.startClient(config: bed.writeClientConfig(family: .v4))
            let payload = [UInt8].random(count: 256 * 1024)
            #expect(sameBytes(try await bed.exchangeThroughForward(payload), payload))
            let latency = ContinuousClock.now - started
            #expect(try await KnockSetListing.addresses(in: .v4, on: bed.server) == [bed.admin.v4])
            #expect(try await TCPProbe.outcome(from: bed.attacker, to: bed.server.v4, port: Self.port) == .filtered)

            // Summaries come every 30 s; the flood may straddle the end of one interval.
            _ = try await eventually(timeout: .seconds(75), every: .milliseconds(500)) {
                let summary = RejectionSummary(log: server.output)
                return summary.refused + summary.kernelDrops >= 9_000
            }
            let summary = RejectionSummary(log: server.output)
            let lines = server.output.split(separator: "\n").count
            print("flood: \(note); the admin's forward worked \(latency) after it; summary lines \(summary.lines),"
                  + " refused \(summary.refused) \(summary.byReason), kernel drops \(summary.kernelDrops); server log \(lines) lines")
            // Nearly all of the flood reached the gate (the kernel may drop a little on the
            // way) and was counted, not logged.
            #expect(summary.refused + summary.kernelDrops >= 9_000, "server log:\n\(server.output)")
            #expect(lines < 40, "the flood must not be logged per datagram:\n\(server.output)")
        }
    }
}
