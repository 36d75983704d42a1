#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HyperionProcess

/// `up` without `--foreground`: starts this same program again as the daemon, in a new
/// session with its output in the runtime directory's log, hands it the passphrase over a
/// pipe (never argv, never its environment), and waits for it to say it has started.
///
/// The daemon reads the secret from fd 3 (`--secret-fd 3`) and reports on fd 4
/// (`--ready-fd 4`) one line: `ready …` or `error …` (`DaemonReadiness`).
public enum DaemonLauncher {
    public static let secretDescriptor: Int32 = 3
    public static let readyDescriptor: Int32 = 4

    /// Starts the daemon with `arguments` (after the program name) and returns its pid and
    /// the text after `ready`. Throws `CommandFailure` with the daemon's own error, or the
    /// end of its log when it died without one.
    public static func launch(arguments: [String], secret: String?, files: DaemonFiles, timeout: Duration = .seconds(60)) throws -> (pid: pid_t, summary: String) {
        var secretPipe: [Int32] = [-1, -1]
        var readyPipe: [Int32] = [-1, -1]
        guard pipe(&secretPipe) == 0, pipe(&readyPipe) == 0 else {
            throw CommandFailure("cannot make a pipe for the daemon: \(String(cString: strerror(errno)))")
        }
        // Only the daemon's dup2 copies (3 and 4) cross the exec; the originals move above
        // them first, since dup2 onto itself would keep close-on-exec.
        secretPipe = secretPipe.map(Self.movedHigh)
        readyPipe = readyPipe.map(Self.movedHigh)
        let log = open(files.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard log >= 0 else {
            throw CommandFailure("cannot open the daemon's log \(files.log): \(String(cString: strerror(errno)))")
        }
        defer { close(log) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, log, 1)
        posix_spawn_file_actions_adddup2(&actions, log, 2)
        posix_spawn_file_actions_adddup2(&actions, secretPipe[0], secretDescriptor)
        posix_spawn_file_actions_adddup2(&actions, readyPipe[1], readyDescriptor)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        ChildProcess.cleanSignals(&attributes)

        let program = "/proc/self/exe"
        let argv = ([CommandLine.arguments.first ?? "hyperion"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, &attributes, argv, environ)
        close(secretPipe[0])
        close(readyPipe[1])
        defer { close(readyPipe[0]) }
        guard spawned == 0 else {
            close(secretPipe[1])
            throw CommandFailure("cannot start the daemon: \(String(cString: strerror(spawned)))")
        }
        var bytes = Array((secret ?? "").utf8)
        let sent = bytes.withUnsafeBytes { write(secretPipe[1], $0.baseAddress, $0.count) }
        for index in bytes.indices { bytes[index] = 0 }
        close(secretPipe[1])
        guard sent >= 0 else {
            throw CommandFailure("cannot hand the passphrase to the daemon (pid \(pid)): \(String(cString: strerror(errno))); see \(files.log)")
        }
        let report = readReport(readyPipe[0], timeout: timeout)
        switch report {
        case .ready(let summary):
            return (pid, summary)
        case .failed(let message):
            throw CommandFailure(message)
        case .silent(let why):
            throw CommandFailure("the daemon (pid \(pid)) \(why); the end of its log \(files.log):\n\(LogTail.read(files.log, lines: 15))")
        }
    }

    /// `fd` as a close-on-exec descriptor numbered 10 or above.
    private static func movedHigh(_ fd: Int32) -> Int32 {
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, 10)
        close(fd)
        return moved
    }

    enum Report: Equatable {
        case ready(String)
        case failed(String)
        case silent(String)
    }

    /// The daemon's one report line, or why there is none.
    static func readReport(_ fd: Int32, timeout: Duration) -> Report {
        var collected: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        while collected.count < 8192 {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return .silent("did not report within \(timeout.components.seconds) s") }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&poller, 1, milliseconds)
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 1024)
            let count = read(fd, &chunk, chunk.count)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            collected += chunk[0..<count]
        }
        return DaemonReadiness.parse(String(decoding: collected, as: UTF8.self))
    }
}

/// The daemon's side: reads the secret, reports how the start went.
public enum DaemonReadiness {
    /// The secret `up` wrote to `fd` (at most 4 KiB), with the descriptor closed; nil when empty.
    public static func readSecret(from fd: Int32) throws -> String? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        defer {
            for index in chunk.indices { chunk[index] = 0 }
            close(fd)
        }
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw CommandFailure("cannot read the passphrase from descriptor \(fd): \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            bytes += chunk[0..<count]
            guard bytes.count <= 4096 else { throw CommandFailure("the passphrase handed to the daemon is longer than 4096 bytes") }
        }
        defer { for index in bytes.indices { bytes[index] = 0 } }
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }

    /// Leaves the terminal's session, so that a hang-up or ^C there does not reach the daemon.
    public static func detach() {
        _ = setsid()
    }

    /// Tells `up` that the daemon runs (`summary` is what `up` prints), and closes `fd`.
    public static func ready(_ fd: Int32, summary: String) {
        send(fd, "ready " + summary.replacingNewlines)
    }

    /// Tells `up` why the daemon could not start, and closes `fd`.
    public static func failed(_ fd: Int32, message: String) {
        send(fd, "error " + message)
    }

    private static func send(_ fd: Int32, _ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    static func parse(_ text: String) -> DaemonLauncher.Report {
        if text.hasPrefix("ready ") { return .ready(String(text.dropFirst(6)).trimmingTrailingNewline) }
        if text.hasPrefix("error ") { return .failed(String(text.dropFirst(6)).trimmingTrailingNewline) }
        return .silent("exited during its start without saying why")
    }
}

/// The last lines of a log, for an error message.
enum LogTail {
    static func read(_ path: String, lines: Int) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "(no log)" }
        defer { close(fd) }
        let size = lseek(fd, 0, SEEK_END)
        let start = max(0, size - 16384)
        lseek(fd, start, SEEK_SET)
        var bytes = [UInt8](repeating: 0, count: Int(size - start))
        let count = Glibc.read(fd, &bytes, bytes.count)
        guard count > 0 else { return "(empty)" }
        return String(decoding: bytes[0..<count], as: UTF8.self).split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

extension String {
    fileprivate var replacingNewlines: String { split(separator: "\n").joined(separator: " ") }
    fileprivate var trimmingTrailingNewline: String {
        var text = self
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
