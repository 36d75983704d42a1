import Foundation
import Testing
@testable import HyperionTestSupport

/// TUN mode on the test network of `SPATestbed`: `hyperion-client tun` on the admin host
/// (root: it makes a device), `hyperion-server` on the server host, and applications on the
/// admin host that reach the server at its real addresses, routed by the script
/// `print-routes` prints, or at a fake address on the TUN's subnet.
extension SPATestbed {
    static let deviceName = "hyperion0"
    static let fakeV4 = "10.99.0.10"
    static let fakeV6 = "fd68:7970::a"

    /// Server, echo service and TUN client, with the routes applied: the usual start.
    /// `address` is the server's tunnel endpoint in the client config (its IPv4 one unless
    /// given), and so the real address the routes send into the TUN.
    func startTunMode(
        tun: String = "", extraServers: String = "", allow: [Int] = [SPATestbed.echoPort], streamWaitMilliseconds: Int = 3000, address: String? = nil,
        withoutCapabilities: [String] = []
    ) async throws -> (client: ChildProcess, server: ChildProcess, config: String) {
        try await startEchoService()
        let server = try await startServer(config: writeTunServerConfig(allow: allow))
        let config = try writeTunClientConfig(tun: tun, extraServers: extraServers, streamWaitMilliseconds: streamWaitMilliseconds, address: address)
        let client = try await startTunClient(config: config, withoutCapabilities: withoutCapabilities)
        try await applyRoutes(config: config)
        return (client, server, config)
    }

    /// Drops `percent` % of the packets crossing the TUN, each way, at random, with
    /// nftables on the admin host: what the kernel hands us (output) and what we write back
    /// (input). The client's TCP and the listener's must recover.
    func startTunLoss(percent: Int) async throws {
        let rules = """
            table inet \(Self.tunLossTable) {
                chain output {
                    type filter hook output priority -10;
                    oifname "\(Self.deviceName)" meta l4proto tcp numgen random mod 100 < \(percent) counter drop
                }
                chain input {
                    type filter hook input priority -10;
                    iifname "\(Self.deviceName)" meta l4proto tcp numgen random mod 100 < \(percent) counter drop
                }
            }
            """
        let file = try files.write("tun-loss-\(percent).nft", rules)
        try await admin.check(["nft", "-f", file])
    }

    static let tunLossTable = "hyperion_tun_loss"

    /// Packets the kernel has handed to the TUN's reader so far (the device's TX counter):
    /// every packet our packet thread rewrote, none that the fast path did.
    func tunTransmittedPackets() async throws -> Int {
        let text = try await admin.check(["cat", "/sys/class/net/\(Self.deviceName)/statistics/tx_packets"])
        guard let count = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw TestFailure("tx_packets: \(text)") }
        return count
    }

    /// How many packets crossed the TUN to our packet thread while `body` ran.
    func packetsThroughTheTun(_ body: () async throws -> Void) async throws -> Int {
        let before = try await tunTransmittedPackets()
        try await body()
        return try await tunTransmittedPackets() - before
    }

    /// Packets the loss rules dropped so far: proof that they were in the path.
    func tunDroppedPackets() async throws -> Int {
        let listing = try await admin.check(["nft", "list", "table", "inet", Self.tunLossTable])
        return listing.split(separator: "\n").compactMap { line -> Int? in
            guard let range = line.range(of: "packets ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }.reduce(0, +)
    }

    func endTunLoss() async throws {
        try await admin.check(["nft", "delete", "table", "inet", Self.tunLossTable])
    }

    /// The fault suite's server config (no knock) with its own allow list.
    func writeTunServerConfig(allow: [Int]) throws -> String {
        let text = try String(contentsOfFile: writeServerConfig(knock: false), encoding: .utf8)
            .replacingOccurrences(of: "allow = [\(Self.echoPort)]", with: "allow = [\(allow.map(String.init).joined(separator: ", "))]")
        return try files.write("server.toml", text)
    }

    /// One server at its real address (both families reach it: its IPv4 address is the
    /// tunnel's) with fake addresses too; no forwards.
    func writeTunClientConfig(
        name: String = "client.toml", tun: String = "", extraServers: String = "", streamWaitMilliseconds: Int = 3000, address: String? = nil
    ) throws -> String {
        try files.write(name, """
            admin_static_key_file = "\(files.adminKeyPath)"

            [key]
            source = "env"
            env_var = "\(TunnelFixture.pskVariable)"

            [limits]
            stream_wait_ms = \(streamWaitMilliseconds)
            drain_timeout_ms = 1000

            [tun]
            \(tun)

            [[server]]
            name = "srv"
            addr = "\(address ?? server.endpoint(.v4, port: Self.tunnelPort))"
            server_pubkey = "\(serverPublicKey)"
            fake_ip = "\(Self.fakeV4)"
            fake_ip6 = "\(Self.fakeV6)"

            \(extraServers)
            """)
    }

    /// `hyperion-client tun` on the admin host as root (it creates a device), once it is up;
    /// `withoutCapabilities` (setpriv's names) are taken from it first.
    func startTunClient(config: String, name: String = "tun-client", withoutCapabilities: [String] = []) async throws -> ChildProcess {
        let command = [TestEnvironment.client, "tun", "--config", config, "--log-level", "info"]
        let dropped = withoutCapabilities.map { "-" + $0 }.joined(separator: ",")
        let process = try ChildProcess(
            name: name, executable: SystemTool.ip,
            arguments: admin.inside(withoutCapabilities.isEmpty ? command : ["setpriv", "--bounding-set", dropped, "--inh-caps", dropped] + command),
            environment: files.environment, directory: files.directory, user: .runner
        )
        files.adopt(process)
        guard try await process.waitForOutput("TUN mode up", timeout: .seconds(60)) else { throw TestFailure("\(name) did not start:\n\(process.output)") }
        return process
    }

    /// SIGTERM to a TUN client, then its "TUN mode stopped" line (the NAT's counters at the
    /// end, and the fast path's), nil if it wrote none.
    static func stopTunClient(_ client: ChildProcess) async throws -> String? {
        client.signal(SIGTERM)
        _ = try await client.waitForExit(timeout: .seconds(10))
        return client.output.split(separator: "\n").last { $0.contains("TUN mode stopped") }.map(String.init)
    }

    /// What the README tells the admin to run: `print-routes | sh`, on the admin host.
    func applyRoutes(config: String, down: Bool = false) async throws {
        let command = "set -o pipefail; '\(TestEnvironment.client)' print-routes --config '\(config)'\(down ? " --down" : "") | sh -e"
        try await admin.check(["bash", "-c", command])
    }

    /// `ip rule` lines on the admin host that send traffic to the TUN's table.
    func tunRules() async throws -> [String] {
        let v4 = try await admin.check(["ip", "-4", "rule", "show"])
        let v6 = try await admin.check(["ip", "-6", "rule", "show"])
        return (v4 + v6).split(separator: "\n").map(String.init).filter { $0.contains("lookup 26745") }
    }

    /// Runs `count` concurrent echoes of `megabytes` each to `host:port` from the admin host;
    /// returns each connection's outcome: "ok" for a byte-exact echo, else what went wrong.
    func parallelEchoes(host: String, port: Int = SPATestbed.echoPort, count: Int, megabytes: Int, timeout: Duration = .seconds(120)) async throws -> [String] {
        let script = """
            import hashlib, os, socket, sys, threading
            host, port, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) << 20
            results = [None] * count
            def one(index):
                try:
                    payload = os.urandom(size)
                    s = socket.create_connection((host, port), timeout=60)
                    received = []
                    def read():
                        while True:
                            data = s.recv(1 << 20)
                            if not data:
                                return
                            received.append(data)
                    reader = threading.Thread(target=read)
                    reader.start()
                    s.sendall(payload)
                    s.shutdown(socket.SHUT_WR)
                    reader.join()
                    echoed = b''.join(received)
                    results[index] = 'ok' if echoed == payload else f'echo of {len(echoed)} bytes differs from {size}'
                    s.close()
                except Exception as error:
                    results[index] = f'{type(error).__name__}: {error}'
            threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
            for t in threads: t.start()
            for t in threads: t.join()
            print('\\n'.join(results))
            """
        let result = try await admin.python(script, [host, "\(port)", "\(count)", "\(megabytes)"], timeout: timeout)
        return result.output.split(separator: "\n").map(String.init)
    }

    /// How `connect()` to `host:port` ends on the admin host: "connected" or the errno's
    /// name, and how long it took.
    func connectOutcome(host: String, port: Int) async throws -> (outcome: String, seconds: Double) {
        let script = """
            import errno, socket, sys, time
            host, port = sys.argv[1], int(sys.argv[2])
            family = socket.AF_INET6 if ':' in host else socket.AF_INET
            s = socket.socket(family)
            s.settimeout(20)
            start = time.monotonic()
            try:
                s.connect((host, port))
                outcome = 'connected'
            except OSError as error:
                outcome = errno.errorcode.get(error.errno, str(error))
            print(outcome, time.monotonic() - start)
            """
        let result = try await admin.python(script, [host, "\(port)"])
        let fields = result.output.split(separator: " ")
        guard fields.count == 2, let seconds = Double(fields[1].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("connect probe printed: \(result.output)")
        }
        return (String(fields[0]), seconds)
    }
}

extension SPATestbed {
    /// TUN mode's tests need the tun command in the client (the default build has it).
    static func tunRequirementsMet() -> Bool {
        requirementsMet()
            && TestEnvironment.require(FileManager.default.isReadableFile(atPath: "/dev/net/tun"), "/dev/net/tun")
            && TestEnvironment.require(SystemTool.path("sh") != nil, "sh")
    }
}
