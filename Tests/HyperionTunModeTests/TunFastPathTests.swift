import Foundation
import Testing
@testable import HyperionTestSupport

/// TUN mode's kernel fast path against the real kernel: once a connection is established its
/// packets are rewritten by the BPF program on the device and never reach our packet thread,
/// byte-exact in both families; its map entries go when the relay ends; and where the
/// program cannot be loaded every packet takes the TUN, as before, and nothing else changes.
///
/// The measure is the device's TX counter in plain 1500-byte packets (offload off): 2 x 10 MB
/// echoed is over 28,000 data packets through the TUN, at most a few hundred on the fast path
/// (the handshakes, the endings, and what is sent before the listener's accept is heard).
@Suite(.serialized) struct TunFastPathTests {
    static let plainPackets = "offload = false\nmtu = 1500\nport_hold_secs = 2"

    @Test func establishedFlowsSkipTheTunAndLeaveTheMapEmpty() async throws {
        guard SPATestbed.tunRequirementsMet() else { return }
        try await SPATestbed.run("tun-fast", firewall: false) { bed in
            let (client, _, _) = try await bed.startTunMode(tun: Self.plainPackets)
            #expect(client.output.contains("fast_path=true"), "\(client.output)")
            for host in [bed.server.v4, SPATestbed.fakeV6] {
                var echoes: [String] = []
                let crossed = try await bed.packetsThroughTheTun { echoes = try await bed.parallelEchoes(host: host, count: 2, megabytes: 10) }
                #expect(echoes == ["ok", "ok"], "\(host)")
                #expect(crossed < 3000, "\(host): \(crossed) packets crossed the TUN")
            }
            let stopLine = try await Self.stop(client)
            #expect(stopLine.contains("fast_path_installed=4") && stopLine.contains("fast_path_refused=0"), "\(stopLine)")
            #expect(stopLine.contains("fast_path_flows=0") && stopLine.contains("live_flows=0"), "\(stopLine)")
        }
    }

    /// An application that resets its connection with data in flight: the RST takes the TUN,
    /// the relay ends, the flow leaves the map, and the next connection is byte-exact.
    @Test func aResetWithDataInFlightTakesTheFlowOutOfTheMap() async throws {
        guard SPATestbed.tunRequirementsMet() else { return }
        try await SPATestbed.run("tun-fast-rst", firewall: false) { bed in
            let (client, _, _) = try await bed.startTunMode(tun: Self.plainPackets)
            let script = """
                import os, socket, struct, sys
                s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
                # 1 MiB echoed in 64 KiB steps, compared, so the flow is established and in the map...
                for _ in range(16):
                    chunk = os.urandom(1 << 16)
                    s.sendall(chunk)
                    echoed = b''
                    while len(echoed) < len(chunk):
                        data = s.recv(len(chunk) - len(echoed))
                        if not data: sys.exit('the echo ended early')
                        echoed += data
                    if echoed != chunk: sys.exit('the echo differs')
                # ...then more sent, not read, and a reset (linger 0) with it still in flight.
                s.setblocking(False)
                try: s.send(os.urandom(1 << 18))
                except BlockingIOError: pass
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                s.close()
                print('reset')
                """
            for host in [bed.server.v4, SPATestbed.fakeV6] {
                let reset = try await bed.admin.python(script, [host, "\(SPATestbed.echoPort)"])
                #expect(reset.output.contains("reset"), "\(host): \(reset.output)")
            }
            let echoes = try await bed.parallelEchoes(host: bed.server.v4, count: 1, megabytes: 5)
            #expect(echoes == ["ok"])
            let stopLine = try await Self.stop(client)
            #expect(stopLine.contains("fast_path_installed=3") && stopLine.contains("fast_path_flows=0"), "\(stopLine)")
            #expect(stopLine.contains("live_flows=0"), "\(stopLine)")
        }
    }

    @Test func offInTheConfigEveryPacketTakesTheTun() async throws {
        guard SPATestbed.tunRequirementsMet() else { return }
        try await SPATestbed.run("tun-fast-off", firewall: false) { bed in
            let (client, _, _) = try await bed.startTunMode(tun: Self.plainPackets + "\nfast_path = false")
            #expect(client.output.contains("fast_path=false") && !client.output.contains("the kernel fast path is off"), "\(client.output)")
            var echoes: [String] = []
            let crossed = try await bed.packetsThroughTheTun { echoes = try await bed.parallelEchoes(host: bed.server.v4, count: 2, megabytes: 10) }
            #expect(echoes == ["ok", "ok"])
            #expect(crossed > 20_000, "only \(crossed) packets crossed the TUN")
            let stopLine = try await Self.stop(client)
            #expect(stopLine.contains("live_flows=0") && !stopLine.contains("fast_path"), "\(stopLine)")
        }
    }

    /// A kernel or a service manager that withholds BPF: the program is not loaded, the log
    /// says why, and TUN mode works as without it.
    @Test func withoutCapBPFTheTunCarriesEverything() async throws {
        guard SPATestbed.tunRequirementsMet() else { return }
        try await SPATestbed.run("tun-fast-nocap", firewall: false) { bed in
            let (client, _, _) = try await bed.startTunMode(tun: Self.plainPackets, withoutCapabilities: ["bpf", "sys_admin"])
            #expect(client.output.contains("the kernel fast path is off") && client.output.contains("CAP_BPF"), "\(client.output)")
            #expect(client.output.contains("fast_path=false"), "\(client.output)")
            var echoes: [String] = []
            let crossed = try await bed.packetsThroughTheTun { echoes = try await bed.parallelEchoes(host: bed.server.v4, count: 2, megabytes: 10) }
            #expect(echoes == ["ok", "ok"])
            #expect(crossed > 20_000, "only \(crossed) packets crossed the TUN")
            let stopLine = try await Self.stop(client)
            #expect(stopLine.contains("live_flows=0"), "\(stopLine)")
        }
    }

    /// Stops the client (after the ports' hold) and returns its stop line.
    static func stop(_ client: ChildProcess) async throws -> String {
        try await Task.sleep(for: .seconds(3))
        return try await SPATestbed.stopTunClient(client) ?? "no stop line in:\n\(client.output.suffix(2000))"
    }
}
