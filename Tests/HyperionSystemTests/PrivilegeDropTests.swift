import Foundation
import Testing
@testable import HyperionTestSupport

/// Issue 20, item 3: once hyperion-server holds its packet socket, its listener and nft's
/// first answers, it keeps CAP_NET_ADMIN and CAP_NET_RAW only, in every thread, under
/// `[server] user` or as root with the bounding set cut; no-new-privileges, no core dumps,
/// not dumpable. Read from outside through /proc, then proven still to work: a knock adds
/// the admin to the nft set (nft spawned after the drop) and a stream relays byte-exact.
@Suite(.timeLimit(.minutes(2))) struct PrivilegeDropTests {
    /// CAP_NET_ADMIN (12) and CAP_NET_RAW (13), as /proc prints a capability set.
    static let adminAndRaw = "0000000000003000"
    static let adminOnly = "0000000000001000"
    static let none = "0000000000000000"

    @Test(arguments: [nil, "nobody"])
    func theServerKeepsOnlyAdminAndRawAndStillKnocksAndRelays(user: String?) async throws {
        try await SPATestbed.run("privdrop-\(user ?? "root")") { bed in
            let server = try await bed.startServer(config: Self.serverConfig(bed, user: user))
            #expect(server.output.contains("privileges dropped"), "server log:\n\(server.output)")
            #expect(try String(decoding: ProcessInspection.read("/proc/\(server.pid)/comm"), as: UTF8.self) == "hyperion-server\n")

            let ids = user == nil ? "0\t0\t0\t0" : "\(TestUser.uid)\t\(TestUser.uid)\t\(TestUser.uid)\t\(TestUser.uid)"
            let gids = user == nil ? "0\t0\t0\t0" : "\(TestUser.gid)\t\(TestUser.gid)\t\(TestUser.gid)\t\(TestUser.gid)"
            let expected: [String: String] = [
                "CapEff": Self.adminAndRaw, "CapPrm": Self.adminAndRaw, "CapBnd": Self.adminAndRaw,
                "CapInh": user == nil ? Self.none : Self.adminOnly, "CapAmb": user == nil ? Self.none : Self.adminOnly,
                "NoNewPrivs": "1", "Uid": ids, "Gid": gids, "Groups": "",
            ]
            // Capabilities and no-new-privileges belong to threads: every one must show the drop.
            let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(server.pid)/task")
            #expect(threads.count >= 3, "the event loops and the sniffer are threads: \(threads)")
            for thread in threads {
                let status = try Self.statusFields("/proc/\(server.pid)/task/\(thread)/status")
                let wrong = expected.filter { status[$0.key] != $0.value }.map { "\($0.key): \(status[$0.key] ?? "missing")" }
                #expect(wrong.isEmpty, "thread \(thread) (\(status["Name"] ?? "?")): \(wrong.sorted())")
            }
            // The PSK's and the static key's pages, locked before the drop (mlock).
            #expect(!server.output.contains("could not lock"), "server log:\n\(server.output)")
            let locked = try Self.statusFields("/proc/\(server.pid)/status")["VmLck"] ?? "missing"
            #expect(locked != "0 kB" && locked.hasSuffix(" kB"), "VmLck: \(locked)")
            #expect(try Self.coreLimit(server.pid) == ["0", "0", "bytes"])
            #expect(try await Self.isDumpable(server.pid, runsAsRoot: user == nil, bed: bed) == false)

            try await bed.startEchoService()
            let client = try await bed.startClient(config: bed.writeClientConfig(family: .v4))
            let payload = [UInt8].random(count: 1 << 20)
            let received = try await bed.exchangeThroughForward(payload)
            #expect(sameBytes(received, payload), "client log:\n\(client.output)\nserver log:\n\(server.output)")
            #expect(try await KnockSetListing.addresses(in: .v4, on: bed.server) == [bed.admin.v4])
            #expect(server.output.contains("tunnel port opened for the source"), "server log:\n\(server.output)")
            #expect(!server.output.contains("could not add"), "server log:\n\(server.output)")
        }
    }

    /// Started as an ordinary user there is nothing to drop, but no-new-privileges, the core
    /// limit and non-dumpable still apply.
    @Test func startedAsAnOrdinaryUserItIsStillNotDumpableWithoutCoreDumpsOrNewPrivileges() async throws {
        try await SPATestbed.run("privdrop-ordinary") { bed in
            let config = try bed.writeServerConfig(knock: false)
            let server = try ChildProcess(
                name: "server", executable: SystemTool.ip, arguments: bed.server.inside([TestEnvironment.server, "run", "--config", config], as: .testUser),
                environment: bed.files.environment, directory: bed.files.directory, user: .runner
            )
            bed.files.adopt(server)
            guard try await server.waitForOutput("listening") else { return }
            #expect(server.output.contains("not started as root: nothing to drop"), "server log:\n\(server.output)")
            let expected = ["NoNewPrivs": "1", "CapEff": Self.none, "CapPrm": Self.none, "CapAmb": Self.none, "Uid": "\(TestUser.uid)\t\(TestUser.uid)\t\(TestUser.uid)\t\(TestUser.uid)"]
            for thread in try FileManager.default.contentsOfDirectory(atPath: "/proc/\(server.pid)/task") {
                let status = try Self.statusFields("/proc/\(server.pid)/task/\(thread)/status")
                let wrong = expected.filter { status[$0.key] != $0.value }.map { "\($0.key): \(status[$0.key] ?? "missing")" }
                #expect(wrong.isEmpty, "thread \(thread) (\(status["Name"] ?? "?")): \(wrong.sorted())")
            }
            #expect(try Self.coreLimit(server.pid) == ["0", "0", "bytes"])
            #expect(try await Self.isDumpable(server.pid, runsAsRoot: false, bed: bed) == false)
        }
    }

    @Test func anUnknownUserStopsTheServerWithTheFix() async throws {
        try await SPATestbed.run("privdrop-unknown") { bed in
            let server = try bed.launchServer(config: Self.serverConfig(bed, user: "hyperion-no-such-user"))
            let status = try await server.waitForExit(timeout: .seconds(30))
            #expect(status != nil && status != 0, "exit status \(String(describing: status)):\n\(server.output)")
            #expect(server.output.contains("the user hyperion-no-such-user of [server] user in"), "\(server.output)")
            #expect(server.output.contains("useradd --system"), "\(server.output)")
            #expect(!server.output.contains("listening"))
        }
    }

    static func serverConfig(_ bed: SPATestbed, user: String?) throws -> String {
        let path = try bed.writeServerConfig()
        guard let user else { return path }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try bed.files.write("server-user.toml", text + "\n[server]\nuser = \"\(user)\"\n")
    }

    /// The soft and hard core file size and the unit, from /proc/PID/limits.
    static func coreLimit(_ pid: pid_t) throws -> [String] {
        let limits = String(decoding: try ProcessInspection.read("/proc/\(pid)/limits"), as: UTF8.self)
        let line = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") }
        return line.map { $0.split(separator: " ").suffix(3).map(String.init) } ?? []
    }

    /// `Name: value` lines of a /proc status file, tabs between values kept.
    static func statusFields(_ path: String) throws -> [String: String] {
        let text = String(decoding: try ProcessInspection.read(path), as: UTF8.self)
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...].drop { $0 == "\t" || $0 == " " })
        }
        return fields
    }

    /// Whether `pid` is dumpable, seen from outside. Under another user: the kernel makes a
    /// non-dumpable process's /proc files root's, a dumpable one's are its own. As root that
    /// shows nothing, so: root without CAP_SYS_PTRACE may open /proc/PID/mem (a ptrace
    /// attach check) of a dumpable root process whose capabilities are a subset of its own,
    /// but not of a non-dumpable one. The server keeps a subset; a dumpable `sleep` started
    /// the same way shows the check can say yes.
    static func isDumpable(_ pid: pid_t, runsAsRoot: Bool, bed: SPATestbed) async throws -> Bool {
        guard runsAsRoot else {
            var info = stat()
            guard stat("/proc/\(pid)/mem", &info) == 0 else { throw TestFailure("cannot stat /proc/\(pid)/mem") }
            return info.st_uid == TestUser.uid
        }
        let setpriv = try #require(TestUser.setpriv, "setpriv (util-linux)")
        let withoutPtrace = [setpriv, "--bounding-set=-sys_ptrace", "--"]
        func attachable(_ target: pid_t) async throws -> Bool {
            try await runCommand(withoutPtrace[0], Array(withoutPtrace.dropFirst()) + ["sh", "-c", ": < /proc/\(target)/mem"], timeout: .seconds(30), as: .runner).status == 0
        }
        let control = try ChildProcess(
            name: "sleep", executable: withoutPtrace[0], arguments: Array(withoutPtrace.dropFirst()) + ["sleep", "60"], directory: bed.files.directory, user: .runner
        )
        bed.files.adopt(control)
        #expect(try await attachable(control.pid), "the check cannot tell: a dumpable root process was not attachable")
        return try await attachable(pid)
    }
}
