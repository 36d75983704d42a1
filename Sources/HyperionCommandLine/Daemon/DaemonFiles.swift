import HyperionConfig
import HyperionTunnel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One daemon's files in the runtime directory: `client.sock`, `client.pid`, `client.log`
/// (or `server.…`), and what they say about whether it runs.
public struct DaemonFiles: Sendable, Hashable {
    public let directory: RuntimeDirectory
    /// "client" or "server".
    public let role: String

    public init(directory: RuntimeDirectory, role: String) {
        self.directory = directory
        self.role = role
    }

    public static func current(role: String) throws -> DaemonFiles {
        DaemonFiles(directory: try CommandFailure.wrapping { try RuntimeDirectory.current() }, role: role)
    }

    public var socket: String { directory.socket(role) }
    public var pidFile: String { directory.pidFile(role) }
    public var log: String { directory.logFile(role) }

    public enum State: Equatable, Sendable {
        case running
        /// Files of a daemon that is gone: `cleanStale` removes them.
        case stale
        case notRunning
        /// A socket this user may not open (the daemon runs as root, say).
        case permissionDenied
    }

    /// Asks the socket: a daemon that answers runs; a socket nobody answers is stale.
    public func probe() -> State {
        do {
            _ = try ControlClient.send(.status, to: socket, timeout: .seconds(5))
            return .running
        } catch {
            switch error {
            case .notRunning: return access(pidFile, F_OK) == 0 && !pidIsAlive ? .stale : .notRunning
            case .stale: return .stale
            case .permissionDenied: return .permissionDenied
            case .failed: return .running
            }
        }
    }

    /// Removes the socket and pid file a dead daemon left.
    public func cleanStale() {
        _ = unlink(socket)
        _ = unlink(pidFile)
    }

    /// The pid in the pid file, if any.
    public var pid: pid_t? {
        guard let text = try? readSmallFile(pidFile) else { return nil }
        return pid_t(text.trimmingCharacters(in: " \n"))
    }

    private var pidIsAlive: Bool {
        guard let pid else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// Writes this process's pid (0644: not a secret).
    public func writePid() throws {
        try CommandFailure.wrapping {
            try AtomicFileSet.replace(pidFile, with: "\(getpid())\n", mode: 0o644, what: "pid file")
        }
    }

    public func removeFiles() {
        _ = unlink(pidFile)
    }
}

private func readSmallFile(_ path: String) throws -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw CommandFailure("cannot open \(path)") }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: 64)
    let count = read(fd, &bytes, bytes.count)
    guard count >= 0 else { throw CommandFailure("cannot read \(path)") }
    return String(decoding: bytes[0..<count], as: UTF8.self)
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var text = Substring(self)
        while let first = text.first, characters.contains(first) { text.removeFirst() }
        while let last = text.last, characters.contains(last) { text.removeLast() }
        return String(text)
    }
}
