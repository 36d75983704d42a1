#if os(Linux)
import CHyperionLinux
import Glibc

/// Runs a program with an argv array and captures its output: how the gate calls `nft`.
///
/// posix_spawn directly, with no shell anywhere, so no argument is ever re-parsed. The
/// child gets a fixed minimal environment (the server's may hold the PSK: `psk_env`),
/// stdin from /dev/null, an empty signal mask and a deadline after which it is killed.
/// Each output is captured up to `captureLimit` bytes; the rest is read and discarded.
struct ChildProcess {
    struct Outcome {
        /// The exit status, or nil when the child was killed by a signal.
        var exitStatus: Int32?
        var standardOutput: String
        var standardError: String
        var succeeded: Bool { exitStatus == 0 }
    }

    static let environment = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]
    static let captureLimit = 64 << 10

    /// Runs `path` with `arguments` (argv[0] is `path`), waiting at most `timeoutMilliseconds`.
    static func run(_ path: String, _ arguments: [String], timeoutMilliseconds: Int32 = 10_000) throws(SPAError) -> Outcome {
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
        var captured = drain([outPipe[0], errPipe[0]], deadlineMilliseconds: timeoutMilliseconds)
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

    private static func spawn(_ path: String, _ arguments: [String], stdout: Int32, stderr: Int32) throws(SPAError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // nft gets nothing else of the server: no tunnel socket, no connection.
        let closing = chyperion_spawn_standard_descriptors(&actions, stdout, stderr)
        guard closing == 0 else {
            throw SPAError(.firewallCommandFailed, "could not prepare to run \(path): \(Errno(code: closing))")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw SPAError(.firewallCommandFailed, "could not run \(path): \(Errno(code: result))")
        }
        return pid
    }

    /// Reads both pipes until both reach end of file or the deadline passes.
    private static func drain(_ fds: [Int32], deadlineMilliseconds: Int32) -> (outputs: [[UInt8]], finished: Bool) {
        var outputs: [[UInt8]] = [[], []]
        var open = [true, true]
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = MonotonicClock.nanoseconds() + UInt64(deadlineMilliseconds) * 1_000_000
        while open.contains(true) {
            let now = MonotonicClock.nanoseconds()
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

    private static func failure(_ call: String, _ code: Int32) -> SPAError {
        SPAError(.systemCallFailed, "\(call) failed: \(Errno(code: code))")
    }
}
#endif
