import CHyperionLinux
import CHyperionTestSupport
import Foundation
import Testing

/// A real hyperion-server, hyperion-client or helper process, with its output in a file so
/// a test can wait for a log line and show the log when something fails.
///
/// Spawned with posix_spawn and reaped with waitpid(WNOHANG), not Foundation's `Process`:
/// on Linux its one monitor thread can block in a wait for a long-lived child (sshd) and
/// then never reaps the others. The child gets an empty signal mask and default handlers
/// (the test runner blocks SIGTERM, which children would otherwise inherit), its own
/// process group, and stdin from /dev/null.
///
/// It runs as the test user (`ProcessUser`): as `nobody` when the tests run as root,
/// starting in `directory`. `pid` is the program's own: setpriv execs it, no fork.
final class ChildProcess: @unchecked Sendable {
    // @unchecked: used only by the test that owns it.
    let name: String
    let logPath: String
    let pid: pid_t
    private var exitStatus: Int32?

    init(
        name: String, executable: String, arguments: [String], environment: [String: String] = [:], directory: String,
        user: ProcessUser = .testUser
    ) throws {
        self.name = name
        logPath = "\(directory)/\(name).log"
        let log = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard log >= 0 else { throw TestFailure("cannot create \(logPath): errno \(errno)") }
        defer { close(log) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Nothing else of the test runner: a socket a child inherits stays open after the
        // test closes it (no FIN, no EOF), and counts against the child's descriptor limit.
        let closing = chyperion_spawn_standard_descriptors(&actions, log, log)
        guard closing == 0 else { throw TestFailure("cannot prepare the descriptors of \(executable): errno \(closing)") }
        let argv = try TestUser.command([executable] + arguments, as: user)
        if argv.first != executable {
            // Not the runner's working directory, which the test user may not be able to enter.
            let moved = chyperion_test_spawn_chdir(&actions, directory)
            guard moved == 0 else { throw TestFailure("cannot prepare the working directory of \(executable): errno \(moved)") }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signalNumber in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signalNumber) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        var env = ProcessInfo.processInfo.environment
        env["HYPERION_LOG"] = env["HYPERION_LOG"] ?? "info"
        for (key, value) in environment { env[key] = value }
        let cArgv = argv.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, argv[0], &actions, &attributes, cArgv, envp)
        guard result == 0 else { throw TestFailure("cannot start \(argv[0]): \(String(cString: strerror(result)))") }
        pid = child
    }

    var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    var isRunning: Bool {
        guard exitStatus == nil else { return false }
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, WNOHANG)
        guard reaped == pid else { return reaped == 0 }
        // Exited: the code; killed: 128 + the signal, as a shell reports it.
        exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return false
    }

    /// The exit status once the process has ended.
    var terminationStatus: Int32 { exitStatus ?? -1 }

    /// Waits until the output contains `text` at least `count` times, the process exits, or
    /// `timeout` passes.
    @discardableResult
    func waitForOutput(_ text: String, count: Int = 1, timeout: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        // The output is looked at once more after the deadline: with every thread of the
        // test runner busy (CPU-bound tests run in parallel on few cores) this task may
        // first run again long after the line was printed.
        while true {
            if output.components(separatedBy: text).count - 1 >= count { return true }
            if !isRunning {
                Issue.record("\(name) exited (status \(terminationStatus)) before printing \"\(text)\":\n\(output)", sourceLocation: sourceLocation)
                return false
            }
            if ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("\(name) did not print \"\(text)\" within \(timeout):\n\(output)", sourceLocation: sourceLocation)
        return false
    }

    /// Waits for the process to exit on its own; returns its status, or nil on timeout.
    func waitForExit(timeout: Duration = .seconds(20)) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now >= deadline { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        return terminationStatus
    }

    func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace`.
    func stop(grace: Duration = .seconds(10)) async {
        signal(SIGTERM)
        if (try? await waitForExit(timeout: grace)) ?? nil == nil {
            signal(SIGKILL)
            _ = try? await waitForExit(timeout: .seconds(5))
        }
    }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }
}

/// Runs a command to completion with a time limit, as `user`; returns its status and
/// combined output.
func runCommand(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60),
    as user: ProcessUser = .testUser
) async throws -> (status: Int32, output: String) {
    let directory = NSTemporaryDirectory() + "hyperion-cmd-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let child = try ChildProcess(name: "cmd", executable: executable, arguments: arguments, environment: environment, directory: directory, user: user)
    guard let status = try await child.waitForExit(timeout: timeout) else {
        child.signal(SIGKILL)
        throw TestFailure("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout):\n\(child.output)")
    }
    return (status, child.output)
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
