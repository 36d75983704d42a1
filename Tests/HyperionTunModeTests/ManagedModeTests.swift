import Foundation
import HyperionProcess
import Testing
@testable import HyperionTestSupport

/// Managed mode end to end (issue 18), as the README's quickstart runs it: an admin host and
/// a server host, each with its own HYPERION_HOME and runtime directory, the real binaries,
/// `init` on both sides, the printed firewall, `hyperion-server up`, `add-server`,
/// `hyperion-client up`, then applications at the fake IP, live status, a server added while
/// up, and `down` on both sides leaving nothing behind.
@Suite(.serialized) struct ManagedModeTests {
    static let passphrase = "correct horse battery staple"
    static let sshPort = 2222

    @Test func quickstartFlowReachesServersAtFakeIPsAndLeavesNothingBehind() async throws {
        guard SPATestbed.tunRequirementsMet() else { return }
        try await SPATestbed.run("managed") { bed in
            let admin = ManagedHost(host: bed.admin, base: bed.files.directory + "/admin")
            let server = ManagedHost(host: bed.server, base: bed.files.directory + "/server")
            let second = ManagedHost(host: bed.attacker, base: bed.files.directory + "/second")
            defer { for host in [admin, server, second] { host.killLeftovers() } }

            // Admin: init prints the key and the salt the servers need.
            let initialized = try await admin.client("init")
            #expect(initialized.status == 0, "\(initialized.output)")
            let adminKey = try #require(Self.value("admin public key: ", in: initialized.output))
            let salt = try #require(Self.value("salt: ", in: initialized.output))

            // Server: init with them, the printed firewall, a private sshd and echo service, up.
            let serverKey = try await server.initServer(salt: salt, adminKey: adminKey, allow: [SPATestbed.echoPort, Self.sshPort])
            guard let sshd = try await PrivateSSHD.start(in: bed.files, port: Self.sshPort, on: bed.server) else { return }
            try await bed.startEchoService()
            let serverUp = try await server.server("up", passphrase: Self.passphrase)
            #expect(serverUp.status == 0, "server up: \(serverUp.output)")
            let secondUp = try await server.server("up", passphrase: Self.passphrase)
            #expect(secondUp.status != 0 && secondUp.output.contains("already running"), "a second up: \(secondUp.output)")

            // Admin: add the server, then up.
            let added = try await admin.client("add-server", "web1", bed.server.endpoint(.v4, port: SPATestbed.tunnelPort), serverKey)
            #expect(added.status == 0 && added.output.contains("10.99.0.10"), "\(added.output)")
            let clientUp = try await admin.client("up", passphrase: Self.passphrase)
            #expect(clientUp.status == 0, "client up: \(clientUp.output)\n\(admin.log("client"))")
            let again = try await admin.client("up", passphrase: Self.passphrase)
            #expect(again.status != 0 && again.output.contains("already running"), "a second up: \(again.output)")

            // Applications at the fake IP: ssh runs a command, a 20 MB echo is byte-exact.
            let options = sshd.options
            let ssh = try await bed.admin.run([sshd.ssh, "-p", "\(Self.sshPort)"] + options + ["root@10.99.0.10", "echo via-fake-ip"], timeout: .seconds(60))
            #expect(ssh.status == 0 && ssh.output.contains("via-fake-ip"), "ssh exited \(ssh.status): \(ssh.output)\n\(admin.log("client"))")
            let echoes = try await bed.parallelEchoes(host: "10.99.0.10", count: 1, megabytes: 20)
            #expect(echoes == ["ok"], "\(echoes)")

            // Names: the daemon's DNS answers web1.hyperion; with the admin host's resolver
            // pointed at it (ip netns exec mounts /etc/netns/NS/resolv.conf), ssh by name works.
            #expect(clientUp.output.contains("NAME.hyperion"), "up says how names resolve: \(clientUp.output)")
            if let dig = SystemTool.path("dig") {
                let answer = try await bed.admin.run([dig, "@10.99.0.1", "+short", "+time=5", "+tries=2", "web1.hyperion", "A"])
                #expect(answer.output.trimmingCharacters(in: .whitespacesAndNewlines) == "10.99.0.10", "\(answer.output)")
                let other = try await bed.admin.run([dig, "@10.99.0.1", "+time=5", "+tries=2", "nosuch.hyperion", "A"])
                #expect(other.output.contains("NXDOMAIN"), "\(other.output)")
            } else {
                _ = TestEnvironment.require(false, "dig (apt package bind9-dnsutils)")
            }
            let resolverDirectory = "/etc/netns/\(bed.admin.namespace)"
            try FileManager.default.createDirectory(atPath: resolverDirectory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: resolverDirectory) }
            try "nameserver 10.99.0.1\noptions timeout:2 attempts:2\n".write(toFile: resolverDirectory + "/resolv.conf", atomically: true, encoding: .utf8)
            let byName = try await bed.admin.run([sshd.ssh, "-p", "\(Self.sshPort)"] + options + ["root@web1.hyperion", "echo via-name"], timeout: .seconds(60))
            #expect(byName.status == 0 && byName.output.contains("via-name"), "ssh by name exited \(byName.status): \(byName.output)")

            // Status on both sides: connected, bytes both ways.
            let clientStatus = try await admin.client("status")
            #expect(clientStatus.status == 0 && clientStatus.output.contains("web1") && clientStatus.output.contains("connected"), "\(clientStatus.output)")
            let json = try await admin.client("status", "--json")
            let live = try ClientStatusJSON(json.output)
            #expect(live.running && live.servers.first?.state == "connected", "\(json.output)")
            #expect((live.servers.first?.bytesIn ?? 0) > 20_000_000 && (live.servers.first?.bytesOut ?? 0) > 20_000_000, "\(json.output)")
            let serverStatus = try await server.server("status", "--json")
            let serverLive = try ServerStatusJSON(serverStatus.output)
            #expect(serverLive.running && serverLive.admins.contains(adminKey), "\(serverStatus.output)")
            #expect(serverLive.bytesIn > 20_000_000 && serverLive.bytesOut > 20_000_000, "\(serverStatus.output)")
            let serverText = try await server.server("status")
            #expect(serverText.output.contains(adminKey) && serverText.output.contains("knocks: "), "\(serverText.output)")

            // A second server, on another host, added while up: reached at once.
            let secondKey = try await second.initServer(salt: salt, adminKey: adminKey, allow: [SPATestbed.echoPort])
            try await bed.applyFirewall(on: bed.attacker)
            bed.files.adopt(try await NamespaceEchoService.start(on: bed.attacker, port: SPATestbed.echoPort, directory: bed.files.directory))
            let secondServerUp = try await second.server("up", passphrase: Self.passphrase)
            #expect(secondServerUp.status == 0, "\(secondServerUp.output)")
            let addedLive = try await admin.client("add-server", "db1", bed.attacker.endpoint(.v4, port: SPATestbed.tunnelPort), secondKey)
            #expect(addedLive.status == 0 && addedLive.output.contains("the running daemon applied the change"), "\(addedLive.output)")
            let secondEcho = try await bed.parallelEchoes(host: "10.99.0.11", count: 1, megabytes: 1)
            #expect(secondEcho == ["ok"], "\(secondEcho)\n\(admin.log("client"))")
            let dig = SystemTool.path("dig")
            if let dig {
                let added = try await bed.admin.run([dig, "@10.99.0.1", "+short", "+time=5", "+tries=2", "db1.hyperion", "A"])
                #expect(added.output.trimmingCharacters(in: .whitespacesAndNewlines) == "10.99.0.11", "a name added while up: \(added.output)")
            }

            // Removed while up: gone from status at once, and its fake IP refuses.
            let removed = try await admin.client("rm-server", "db1")
            #expect(removed.status == 0 && removed.output.contains("the running daemon applied the change"), "\(removed.output)")
            let afterRemoval = try await admin.client("status")
            #expect(!afterRemoval.output.contains("db1"), "\(afterRemoval.output)")
            let refused = try await bed.connectOutcome(host: "10.99.0.11", port: SPATestbed.echoPort)
            #expect(refused.outcome != "connected", "\(refused)")
            if let dig {
                let gone = try await bed.admin.run([dig, "@10.99.0.1", "+time=5", "+tries=2", "db1.hyperion", "A"])
                #expect(gone.output.contains("NXDOMAIN"), "a name removed while up: \(gone.output)")
            }
            let readded = try await admin.client("add-server", "db1", bed.attacker.endpoint(.v4, port: SPATestbed.tunnelPort), secondKey)
            #expect(readded.status == 0 && readded.output.contains("10.99.0.11"), "the freed fake IP is given again: \(readded.output)")

            // Secrecy: the passphrase is in no daemon's environment or command line.
            for (host, role) in [(admin, "client"), (server, "server"), (second, "server")] {
                let pid = try #require(host.pid(role))
                for file in ["environ", "cmdline"] {
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/\(file)"))
                    #expect(bytes.range(of: Data(Self.passphrase.utf8)) == nil, "the passphrase is in /proc/\(pid)/\(file)")
                    #expect(bytes.range(of: Data("HYPERION_PASSPHRASE".utf8)) == nil, "HYPERION_PASSPHRASE is in /proc/\(pid)/\(file)")
                }
            }

            // Down on both sides: nothing left.
            let clientPid = try #require(admin.pid("client"))
            for (host, program, role) in [(admin, "hyperion-client", "client"), (server, "hyperion-server", "server"), (second, "hyperion-server", "server")] {
                let down = try await host.run(program, ["down"])
                #expect(down.status == 0 && down.output.contains("is down"), "\(program) down: \(down.output)")
                let status = try await host.run(program, ["status"])
                #expect(status.output.contains("not running"), "\(status.output)")
                // Down, status still shows what is configured.
                let configured = role == "client" ? "web1" : "listen 0.0.0.0:\(SPATestbed.tunnelPort)"
                #expect(status.output.contains(configured), "\(status.output)")
                #expect(!FileManager.default.fileExists(atPath: host.runtime + "/\(role).sock"), "the socket is left")
                #expect(!FileManager.default.fileExists(atPath: host.runtime + "/\(role).pid"), "the pid file is left")
                let downTwice = try await host.run(program, ["down"])
                #expect(downTwice.status != 0 && downTwice.output.contains("not running"), "down while down: \(downTwice.output)")
            }
            #expect(ProcessState.hasExited(clientPid), "the client daemon is still running")
            let links = try await bed.admin.check(["ip", "link", "show"])
            #expect(!links.contains(SPATestbed.deviceName), "the device is left: \(links)")
        }
    }

    @Test func theControlSocketServesOnlyItsUserAndADeadDaemonsFilesAreCleaned() async throws {
        guard SPATestbed.tunRequirementsMet() else { return }
        try await SPATestbed.run("managed-control") { bed in
            let server = ManagedHost(host: bed.server, base: bed.files.directory + "/server")
            defer { server.killLeftovers() }
            let adminKey = bed.files.adminKey.publicKey.base64
            _ = try await server.initServer(salt: "0123456789abcdef", adminKey: adminKey, allow: [SPATestbed.echoPort])
            let up = try await server.server("up", passphrase: Self.passphrase)
            #expect(up.status == 0, "\(up.output)")
            let directoryMode = try FileManager.default.attributesOfItem(atPath: server.runtime)[.posixPermissions] as? NSNumber
            let socketMode = try FileManager.default.attributesOfItem(atPath: server.runtime + "/server.sock")[.posixPermissions] as? NSNumber
            #expect(directoryMode?.intValue == 0o700 && socketMode?.intValue == 0o600, "modes \(String(describing: directoryMode)) \(String(describing: socketMode))")

            // Another user: the directory keeps them out...
            let asNobody = try await server.run("hyperion-server", ["status"], as: .testUser)
            #expect(asNobody.status != 0 && asNobody.output.contains("permission denied"), "\(asNobody.output)")
            // ...and with the directory and socket opened up by mistake, SO_PEERCRED still does.
            chmod(server.runtime, 0o755)
            chmod(server.runtime + "/server.sock", 0o666)
            let opened = try await server.run("hyperion-server", ["status"], as: .testUser)
            #expect(opened.status != 0 && !opened.output.contains("running (pid"), "\(opened.output)")
            #expect(server.log("server").contains("refusing a connection from uid \(TestUser.uid)"), "\(server.log("server"))")
            let owner = try await server.server("status")
            #expect(owner.status == 0 && owner.output.contains("is running"), "\(owner.output)")

            // A daemon killed outright leaves its socket and pid file: status and up clean them.
            let pid = try #require(server.pid("server"))
            kill(pid, SIGKILL)
            #expect(try await eventually(timeout: .seconds(10)) { ProcessState.hasExited(pid) })
            #expect(FileManager.default.fileExists(atPath: server.runtime + "/server.sock"))
            let afterKill = try await server.server("status")
            #expect(afterKill.status == 0 && afterKill.output.contains("not running"), "\(afterKill.output)")
            #expect(!FileManager.default.fileExists(atPath: server.runtime + "/server.sock"), "the stale socket is left")
            let upAgain = try await server.server("up", passphrase: Self.passphrase)
            #expect(upAgain.status == 0, "up after a kill: \(upAgain.output)")
            let down = try await server.server("down")
            #expect(down.status == 0, "\(down.output)")
        }
    }

    /// `[server] user`: the daemon drops to that user after making its socket and pid file
    /// in root's runtime directory; root still asks it for status, and `down` removes the
    /// files the daemon can no longer remove itself.
    @Test func aServerDaemonThatDropsToAUserStillAnswersAndDownCleansUp() async throws {
        guard SPATestbed.tunRequirementsMet() else { return }
        try await SPATestbed.run("managed-user") { bed in
            let server = ManagedHost(host: bed.server, base: bed.files.directory + "/server")
            defer { server.killLeftovers() }
            _ = try await server.initServer(salt: "0123456789abcdef", adminKey: bed.files.adminKey.publicKey.base64, allow: [SPATestbed.echoPort])
            let config = server.home + "/server.toml"
            try (String(contentsOfFile: config, encoding: .utf8) + "\n[server]\nuser = \"nobody\"\n").write(toFile: config, atomically: true, encoding: .utf8)
            let up = try await server.server("up", passphrase: Self.passphrase)
            #expect(up.status == 0, "\(up.output)\n\(server.log("server"))")
            let pid = try #require(server.pid("server"))
            let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
            #expect(status.contains("Uid:\t\(TestUser.uid)\t"), "\(status)")
            let asked = try await server.server("status", "--json")
            let running = try ServerStatusJSON(asked.output).running
            #expect(asked.status == 0 && running, "\(asked.output)")
            let down = try await server.server("down")
            #expect(down.status == 0 && down.output.contains("is down"), "\(down.output)")
            #expect(!FileManager.default.fileExists(atPath: server.runtime + "/server.sock"), "the socket is left")
            #expect(!FileManager.default.fileExists(atPath: server.runtime + "/server.pid"), "the pid file is left")
        }
    }

    @Test func upAsAnOrdinaryUserPrintsTheDaemonsErrorAndLeavesNothing() async throws {
        guard SPATestbed.tunRequirementsMet() else { return }
        guard TestEnvironment.require(TestUser.dropsPrivileges, "root, to run the client as nobody") else { return }
        try await SPATestbed.run("managed-unprivileged", firewall: false) { bed in
            let base = bed.files.directory + "/nobody"
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: false)
            try TestUser.own(base)
            let admin = ManagedHost(host: bed.admin, base: base)
            defer { admin.killLeftovers() }
            let initialized = try await admin.run("hyperion-client", ["init"], as: .testUser)
            #expect(initialized.status == 0, "\(initialized.output)")
            let added = try await admin.run(
                "hyperion-client", ["add-server", "web1", bed.server.endpoint(.v4, port: SPATestbed.tunnelPort), bed.serverPublicKey], as: .testUser
            )
            #expect(added.status == 0, "\(added.output)")
            // The daemon starts, derives the key, and fails at the TUN device: `up` says why.
            let up = try await admin.run("hyperion-client", ["up"], passphrase: Self.passphrase, as: .testUser)
            #expect(up.status != 0, "\(up.output)")
            #expect(up.output.contains("cannot start") && up.output.contains("/dev/net/tun") || up.output.contains("CAP_NET_ADMIN"), "\(up.output)")
            #expect(!FileManager.default.fileExists(atPath: admin.runtime + "/client.sock"), "a socket is left")
            #expect(!FileManager.default.fileExists(atPath: admin.runtime + "/client.pid"), "a pid file is left")
            let status = try await admin.run("hyperion-client", ["status"], as: .testUser)
            #expect(status.status == 0 && status.output.contains("not running") && status.output.contains("web1"), "\(status.output)")
        }
    }

    static func value(_ label: String, in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix(label) }.map { String($0.dropFirst(label.count)) }
    }
}

/// One host's managed-mode world: its HYPERION_HOME and runtime directory, and the two
/// programs run there as root (the client daemon makes a device; the server sniffs knocks).
struct ManagedHost {
    let host: NetworkHost
    let base: String
    var home: String { base + "/home" }
    var runtime: String { base + "/run" }

    func run(_ program: String, _ arguments: [String], passphrase: String? = nil, as user: ProcessUser = .runner) async throws -> (status: Int32, output: String) {
        var environment = ["HYPERION_HOME": home, "HYPERION_RUNTIME_DIR": runtime]
        if let passphrase { environment["HYPERION_PASSPHRASE"] = passphrase }
        return try await host.run([TestEnvironment.binaryDirectory + "/" + program] + arguments, environment: environment, timeout: .seconds(90), as: user)
    }

    func client(_ arguments: String..., passphrase: String? = nil) async throws -> (status: Int32, output: String) {
        try await run("hyperion-client", arguments, passphrase: passphrase)
    }

    func server(_ arguments: String..., passphrase: String? = nil) async throws -> (status: Int32, output: String) {
        try await run("hyperion-server", arguments, passphrase: passphrase)
    }

    /// `hyperion-server init` listening on the tunnel port; returns the server's public key.
    func initServer(salt: String, adminKey: String, allow: [Int]) async throws -> String {
        let result = try await run("hyperion-server", [
            "init", "--salt", salt, "--admin-key", adminKey, "--allow", allow.map(String.init).joined(separator: ","),
            "--listen", "0.0.0.0:\(SPATestbed.tunnelPort)",
        ])
        guard result.status == 0, let key = result.output.split(separator: "\n").first(where: { $0.count == 44 && $0.hasSuffix("=") }) else {
            throw TestFailure("hyperion-server init: \(result.output)")
        }
        return String(key)
    }

    func pid(_ role: String) -> Int32? {
        (try? String(contentsOfFile: runtime + "/\(role).pid", encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    func log(_ role: String) -> String {
        ((try? String(contentsOfFile: runtime + "/\(role).log", encoding: .utf8)) ?? "(no log)").suffix(3000).description
    }

    /// Kills daemons a failed test left running (they detached, so nobody else will).
    func killLeftovers() {
        for role in ["client", "server"] {
            if let pid = pid(role) { kill(pid, SIGKILL) }
        }
    }
}

/// The fields of `hyperion-client status --json` the test checks.
struct ClientStatusJSON {
    struct Row { let name: String; let state: String; let bytesIn: Int; let bytesOut: Int }
    let running: Bool
    let servers: [Row]

    init(_ text: String) throws {
        guard let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { throw TestFailure("not JSON: \(text)") }
        running = root["running"] as? Bool ?? false
        servers = (root["servers"] as? [[String: Any]] ?? []).map { server in
            let pool = server["pool"] as? [String: Any] ?? [:]
            return Row(
                name: server["name"] as? String ?? "", state: pool["state"] as? String ?? "down",
                bytesIn: (pool["bytesIn"] as? NSNumber)?.intValue ?? 0, bytesOut: (pool["bytesOut"] as? NSNumber)?.intValue ?? 0
            )
        }
    }
}

/// The fields of `hyperion-server status --json` the test checks.
struct ServerStatusJSON {
    let running: Bool
    let admins: [String]
    let bytesIn: Int
    let bytesOut: Int

    init(_ text: String) throws {
        guard let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { throw TestFailure("not JSON: \(text)") }
        running = root["running"] as? Bool ?? false
        let connections = root["connections"] as? [[String: Any]] ?? []
        admins = connections.compactMap { $0["admin"] as? String }
        bytesIn = connections.reduce(0) { $0 + ((($1["bytesIn"] as? NSNumber)?.intValue) ?? 0) }
        bytesOut = connections.reduce(0) { $0 + ((($1["bytesOut"] as? NSNumber)?.intValue) ?? 0) }
    }
}
