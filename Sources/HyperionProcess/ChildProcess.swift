#if os(Linux)
import CHyperionLinux
import Glibc

/// Runs a system tool with an argv array and captures its output: how the server's gate
/// calls `nft`, the doctor lists firewall rules, and the managed daemon calls `resolvectl`.
///
/// posix_spawn directly, with no shell anywhere, so no argument is ever re-parsed. The
/// child gets a fixed minimal environment (ours may hold a secret: `psk_env`, `key_env`),
/// no descriptor but its standard three, stdin from /dev/null, an empty signal mask, and a
/// deadline after which it is killed. Not Foundation's Process: its run loop wants a
/// loopback socket pair, which fails (and prints) where loopback is down. Each output is
/// captured up to `captureLimit` bytes; the rest is read and discarded.
public enum ChildProcess {
    public struct Outcome: Sendable {
        /// The exit status, or nil when the child was killed by a signal or the deadline.
        public var exitStatus: Int32?
        public var standardOutput: String
        public var standardError: String
        public var succeeded: Bool { exitStatus == 0 }

        /// The first line of the error output (at most 200 characters), or what ended it.
        public var failureLine: String {
            standardError.split(separator: "\n").first.map { String($0.prefix(200)) }
                ?? exitStatus.map { "exit status \($0)" } ?? "killed"
        }
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    static let environment = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]
    /// Where system tools are looked for: a fixed list, not the caller's PATH, which may be
    /// reduced (sudo's secure_path, a service) or point anywhere; nft and iptables live in sbin.
    public static let toolDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin"]

    /// The path of `tool` in `toolDirectories`, or nil when it is not installed.
    public static func locate(_ tool: String) -> String? {
        toolDirectories.map { "\($0)/\(tool)" }.first { access($0, X_OK) == 0 }
    }

    /// Runs `path` with `arguments` (argv[0] is `path`), waiting at most `timeoutMilliseconds`.
    public static func run(
        _ path: String, _ arguments: [String], timeoutMilliseconds: Int32 = 10_000, captureLimit: Int = 64 << 10
    ) throws(Failure) -> Outcome {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        let outResult = chyperion_pipe_cloexec(&outPipe)
        guard outResult == 0 else { throw failure("pipe2", -outResult) }
        let errResult = chyperion_pipe_cloexec(&errPipe)
        guard errResult == 0 else {
            close(outPipe[0])
            close(outPipe[1])
            throw failure("pipe2", -errResult)
        }
        defer { close(outPipe[0]); close(errPipe[0]) }
        let pid: pid_t
        do {
            defer { close(outPipe[1]); close(errPipe[1]) }
            pid = try spawn(path, arguments, stdout: outPipe[1], stderr: errPipe[1])
        }
        var captured = drain([outPipe[0], errPipe[0]], deadlineMilliseconds: timeoutMilliseconds, captureLimit: captureLimit)
        if !captured.finished { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7F == 0
        if !captured.finished { captured.outputs[1] += Array("\n(killed after \(timeoutMilliseconds) ms)".utf8) }
        return Outcome(
            exitStatus: exited && captured.finished ? (status >> 8) & 0xFF : nil,
            standardOutput: String(decoding: captured.outputs[0], as: UTF8.self),
            standardError: String(decoding: captured.outputs[1], as: UTF8.self)
        )
    }

    private static func spawn(_ path: String, _ arguments: [String], stdout: Int32, stderr: Int32) throws(Failure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The child gets nothing else of ours: no tunnel socket, no connection.
        let closing = chyperion_spawn_standard_descriptors(&actions, stdout, stderr)
        guard closing == 0 else {
            throw Failure(description: "could not prepare to run \(path): \(String(cString: strerror(closing)))")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        cleanSignals(&attributes)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw Failure(description: "could not run \(path): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// Reads both pipes until both reach end of file or the deadline passes.
    private static func drain(_ fds: [Int32], deadlineMilliseconds: Int32, captureLimit: Int) -> (outputs: [[UInt8]], finished: Bool) {
        var outputs: [[UInt8]] = [[], []]
        var open = [true, true]
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = monotonicNanoseconds() + UInt64(deadlineMilliseconds) * 1_000_000
        while open.contains(true) {
            let now = monotonicNanoseconds()
            guard now < deadline else { return (outputs, false) }
            var pollfds = fds.indices.map { pollfd(fd: open[$0] ? fds[$0] : -1, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&pollfds, 2, Int32(min(1000, (deadline - now) / 1_000_000 + 1)))
            if ready < 0 && errno != EINTR { return (outputs, false) }
            for index in fds.indices where open[index] && pollfds[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(fds[index], $0.baseAddress, $0.count) }
                if count > 0 {
                    let room = max(0, captureLimit - outputs[index].count)
                    outputs[index] += buffer[0..<min(count, room)]
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    open[index] = false
                }
            }
        }
        return (outputs, true)
    }

    /// Spawn attributes for a child that starts with no signal blocked and every signal at
    /// its default action: we block some and ignore others (SIGPIPE), and both would
    /// otherwise cross the exec.
    public static func cleanSignals(_ attributes: inout posix_spawnattr_t) {
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    private static func failure(_ call: String, _ code: Int32) -> Failure {
        Failure(description: "\(call) failed: \(String(cString: strerror(code)))")
    }
}
#endif
