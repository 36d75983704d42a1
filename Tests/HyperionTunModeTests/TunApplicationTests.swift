import Foundation
import Testing
@testable import HyperionTestSupport

/// Real applications through `hyperion-client tun`, at the server's real address: OpenSSH
/// (a command, then scp both ways) and iperf3 (both directions). Their services listen
/// only on the server host's 127.0.0.1, so reaching them at the server's address from the
/// admin host proves the bytes went through the TUN and the tunnel, not around it.
@Suite(.serialized) struct TunApplicationTests {
    static let sshPort = 2222
    static let iperfPort = 5201

    @Test func sshRunsACommandAndScpCopies50MBBothWays() async throws {
        guard SPATestbed.tunRequirementsMet() else { return }
        try await SPATestbed.run("tun-ssh", firewall: false) { bed in
            let dir = bed.files.directory
            guard let sshd = try await PrivateSSHD.start(in: bed.files, port: Self.sshPort, on: bed.server) else { return }
            _ = try await bed.startTunMode(allow: [SPATestbed.echoPort, Self.sshPort])

            // Root logs in: the runner's account (nobody's shell refuses commands), and the
            // client programs run as the runner on the admin host.
            let target = "root@\(bed.server.v4)"
            let options = sshd.options
            let session = try await bed.admin.run([sshd.ssh, "-p", "\(Self.sshPort)"] + options + [target, "echo through-tun; uname -s"])
            #expect(session.status == 0, "ssh exited \(session.status): \(session.output)")
            #expect(session.output.contains("through-tun\nLinux"), "\(session.output)")

            let size = 50 * 1024 * 1024
            let original = "\(dir)/original.bin"
            let made = try await runCommand(SystemTool.path("bash") ?? "/bin/bash", ["-c", "head -c \(size) /dev/urandom > '\(original)'"], as: .runner)
            #expect(made.status == 0, "\(made.output)")

            let upStart = ContinuousClock.now
            let up = try await bed.admin.run(
                [sshd.scp, "-P", "\(Self.sshPort)"] + options + [original, "\(target):\(dir)/uploaded.bin"], timeout: .seconds(120)
            )
            let upTime = ContinuousClock.now - upStart
            #expect(up.status == 0, "scp up exited \(up.status): \(up.output)")
            let downStart = ContinuousClock.now
            let down = try await bed.admin.run(
                [sshd.scp, "-P", "\(Self.sshPort)"] + options + ["\(target):\(dir)/uploaded.bin", "\(dir)/downloaded.bin"], timeout: .seconds(120)
            )
            let downTime = ContinuousClock.now - downStart
            #expect(down.status == 0, "scp down exited \(down.status): \(down.output)")

            let sums = try await sha256(of: [original, "\(dir)/uploaded.bin", "\(dir)/downloaded.bin"])
            #expect(sums.count == 3 && Set(sums).count == 1, "sha256 differ: \(sums)")
            print("TUN scp of 50 MiB: up \(seconds(upTime)) s, down \(seconds(downTime)) s, sha256 \(sums.first ?? "?")")
        }
    }

    @Test func iperf3BothDirectionsCompletesWithThroughput() async throws {
        guard SPATestbed.tunRequirementsMet(),
              TestEnvironment.require(SystemTool.path("iperf3") != nil, "iperf3 (apt package iperf3)"),
              let iperf3 = SystemTool.path("iperf3")
        else { return }
        try await SPATestbed.run("tun-iperf", firewall: false) { bed in
            // --forceflush: the readiness line reaches the log file at once, not at exit.
            let daemon = try ChildProcess(
                name: "iperf3-server", executable: SystemTool.ip,
                arguments: bed.server.inside([iperf3, "-s", "-B", "127.0.0.1", "-p", "\(Self.iperfPort)", "--forceflush"]),
                directory: bed.files.directory, user: .runner
            )
            bed.files.adopt(daemon)
            guard try await daemon.waitForOutput("Server listening", timeout: .seconds(10)) else { return }
            _ = try await bed.startTunMode(allow: [SPATestbed.echoPort, Self.iperfPort])

            for reverse in [false, true] {
                let report = "\(bed.files.directory)/iperf3\(reverse ? "-reverse" : "").json"
                let argv = [iperf3, "-c", bed.server.v4, "-p", "\(Self.iperfPort)", "-t", "3", "-J", "--logfile", report, "--connect-timeout", "10000"]
                let result = try await bed.admin.run(argv + (reverse ? ["-R"] : []), timeout: .seconds(60))
                let text = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
                #expect(result.status == 0, "iperf3\(reverse ? " -R" : "") exited \(result.status): \(result.output)\n\(text)")
                let figures = try IperfFigures(json: text)
                #expect(figures.error == nil, "iperf3 reported: \(figures.error ?? "")")
                #expect(figures.receivedBytes > 0 && figures.receivedBitsPerSecond > 0, "\(figures)")
                print("TUN iperf3 \(reverse ? "server->client (-R)" : "client->server"): \(figures)")
            }
        }
    }

    @Test func realIPv6AddressCarriesParallelEchoesByteExact() async throws {
        guard SPATestbed.tunRequirementsMet() else { return }
        try await SPATestbed.run("tun-real6", firewall: false) { bed in
            // The server by its real IPv6 address (fd00:77::1 on its veth, nodad): the tunnel
            // connects there, and the routes send applications' traffic to it into the TUN.
            let (client, _, config) = try await bed.startTunMode(address: bed.server.endpoint(.v6, port: SPATestbed.tunnelPort))
            try await bed.applyRoutes(config: config)
            let rules6 = try await bed.tunRules(.v6), rules4 = try await bed.tunRules(.v4)
            #expect(rules6.count == 1, "\(rules6)")
            #expect(rules4.isEmpty, "\(rules4)")

            let echoes = try await bed.parallelEchoes(host: bed.server.v6, count: 8, megabytes: 10)
            #expect(echoes == Array(repeating: "ok", count: 8), "\(echoes)")

            // --down twice: gone, and the address is reached directly again, where the
            // echo port is closed (the echo service listens on the server's loopback only).
            try await bed.applyRoutes(config: config, down: true)
            try await bed.applyRoutes(config: config, down: true)
            #expect(try await bed.tunRules(.v6).isEmpty)
            let direct = try await bed.connectOutcome(host: bed.server.v6, port: SPATestbed.echoPort)
            #expect(direct.outcome == "ECONNREFUSED", "\(direct)")

            let stopLine = try await SPATestbed.stopTunClient(client) ?? ""
            #expect(stopLine.contains("flows_opened=8"), "the echoes did not cross the TUN: \(client.output.suffix(2000))")
        }
    }
}

extension SPATestbed {
    /// `ip rule` lines of one family that send traffic to the TUN's table.
    func tunRules(_ family: AddressFamily) async throws -> [String] {
        let listing = try await admin.check(["ip", family == .v4 ? "-4" : "-6", "rule", "show"])
        return listing.split(separator: "\n").map(String.init).filter { $0.contains("lookup 26745") }
    }
}

/// What an iperf3 client's JSON report says: bytes and rates as the sender and the
/// receiver counted them.
struct IperfFigures: CustomStringConvertible {
    let sentBytes: Int
    let receivedBytes: Int
    let sentBitsPerSecond: Double
    let receivedBitsPerSecond: Double
    let error: String?

    init(json: String) throws {
        guard let root = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw TestFailure("iperf3 printed no JSON object: \(json.prefix(2000))")
        }
        error = root["error"] as? String
        let end = root["end"] as? [String: Any] ?? [:]
        let sent = end["sum_sent"] as? [String: Any] ?? [:]
        let received = end["sum_received"] as? [String: Any] ?? [:]
        sentBytes = (sent["bytes"] as? NSNumber)?.intValue ?? 0
        receivedBytes = (received["bytes"] as? NSNumber)?.intValue ?? 0
        sentBitsPerSecond = (sent["bits_per_second"] as? NSNumber)?.doubleValue ?? 0
        receivedBitsPerSecond = (received["bits_per_second"] as? NSNumber)?.doubleValue ?? 0
    }

    var description: String {
        String(format: "sent %d bytes (%.0f Mbit/s), received %d bytes (%.0f Mbit/s)", sentBytes, sentBitsPerSecond / 1e6, receivedBytes, receivedBitsPerSecond / 1e6)
    }
}

/// The sha256 of each file, in order, by coreutils' sha256sum.
func sha256(of paths: [String]) async throws -> [String] {
    let result = try await runCommand(SystemTool.path("sha256sum") ?? "/usr/bin/sha256sum", paths, timeout: .seconds(60), as: .runner)
    guard result.status == 0 else { throw TestFailure("sha256sum: \(result.output)") }
    return result.output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
}

/// A duration in seconds, two decimals, for the printed figures.
func seconds(_ duration: Duration) -> String { String(format: "%.2f", inSeconds(duration)) }

func inSeconds(_ duration: Duration) -> Double {
    let (whole, attoseconds) = duration.components
    return Double(whole) + Double(attoseconds) / 1e18
}
