#if os(Linux)
import Foundation
import Glibc

extension TunHostFacts {
    /// Where the firewall tools are looked for: doctor may run with a reduced PATH (sudo's
    /// secure_path, a service), and nft and iptables live in sbin.
    static let toolDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin"]

    /// Reads this machine. Needs no privilege: what an ordinary user cannot read is
    /// reported as not checked, never as a failure of doctor itself. Changes nothing (the
    /// device node is opened and closed, no device is created).
    public static func gather() -> TunHostFacts {
        var facts = TunHostFacts()
        facts.deviceNode = openDeviceNode()
        facts.procStatus = readFile("/proc/self/status")
        facts.effectiveUID = geteuid()
        facts.executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let conf = "/proc/sys/net/ipv4/conf/"
        facts.rpFilterAll = readInteger(conf + "all/rp_filter")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: conf)) ?? [] where name != "all" && name != "default" {
            facts.rpFilterInterfaces[name] = readInteger(conf + name + "/rp_filter")
        }
        facts.nft = run("nft", ["-j", "list", "ruleset"])
        facts.iptablesSave = run("iptables-save", ["-t", "filter"])
        facts.ip6tablesSave = run("ip6tables-save", ["-t", "filter"])
        return facts
    }

    private static func openDeviceNode() -> DeviceNode {
        let fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)
        if fd >= 0 {
            close(fd)
            return .opened
        }
        switch errno {
        case ENOENT: return .missing
        case ENODEV, ENXIO: return .noDriver
        case EACCES, EPERM: return .denied
        case let code: return .failed(String(cString: strerror(code)))
        }
    }

    private static func readFile(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    private static func readInteger(_ path: String) -> Int? {
        readFile(path).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Runs a firewall tool for its listing: posix_spawn with an environment of its own
    /// (the client's may hold the PSK, `[key] source = "env"`, which no child gets), stdin
    /// from /dev/null, and at most 10 s. Not Foundation's Process: its run loop wants a
    /// loopback socket pair, which fails (and prints) where loopback is down.
    private static func run(_ tool: String, _ arguments: [String]) -> ToolRun {
        let candidates: [String] = toolDirectories.map { "\($0)/\(tool)" }
        guard let path = candidates.first(where: { access($0, X_OK) == 0 }) else { return .notInstalled }
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        guard pipe(&out) == 0 else { return .failed("pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&err) == 0 else {
            close(out[0]); close(out[1])
            return .failed("pipe: \(String(cString: strerror(errno)))")
        }
        defer { close(out[0]); close(err[0]) }
        // Only the child's 1 and 2 (dup2 clears the flag there) may outlive the exec.
        for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let environment: [String] = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        close(out[1])
        close(err[1])
        guard spawned == 0 else { return .failed("could not run \(path): \(String(cString: strerror(spawned)))") }
        let (outputs, finished) = drain([out[0], err[0]], seconds: 10)
        if !finished { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
        guard finished, exitStatus == 0 else {
            let message = String(decoding: outputs[1], as: UTF8.self)
            let line = message.split(separator: "\n").first.map { String($0.prefix(200)) }
            return .failed(line ?? (finished ? "exit status \(exitStatus)" : "killed after 10 s"))
        }
        return .output(String(decoding: outputs[0], as: UTF8.self))
    }

    /// Reads both pipes to their ends (at most 16 MiB each), or until the deadline passes.
    private static func drain(_ fds: [Int32], seconds: Int) -> (outputs: [[UInt8]], finished: Bool) {
        var outputs: [[UInt8]] = [[], []]
        var open = [true, true]
        var buffer = [UInt8](repeating: 0, count: 65536)
        var remaining = seconds * 1000
        while open.contains(true), remaining > 0 {
            var polled = fds.indices.map { pollfd(fd: open[$0] ? fds[$0] : -1, events: Int16(POLLIN), revents: 0) }
            let started = DispatchTime.now()
            let ready = poll(&polled, 2, Int32(min(remaining, 1000)))
            remaining -= Int((DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000)
            if ready < 0 && errno != EINTR { return (outputs, false) }
            for index in fds.indices where open[index] && polled[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(fds[index], $0.baseAddress, $0.count) }
                if count > 0 {
                    if outputs[index].count < 16 << 20 { outputs[index] += buffer[0..<count] }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    open[index] = false
                }
            }
        }
        return (outputs, !open.contains(true))
    }
}
#endif
