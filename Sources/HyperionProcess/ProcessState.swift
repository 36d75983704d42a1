#if canImport(Glibc)
import Glibc
#endif

/// What /proc says of a process.
public enum ProcessState {
    /// Gone, or a zombie: a detached daemon's parent is init (or a subreaper), which may
    /// not have reaped it yet.
    public static func hasExited(_ pid: pid_t) -> Bool {
        // kill(0 or less, 0) asks about a process group and succeeds: no such pid runs.
        guard pid > 0 else { return true }
        return (kill(pid, 0) != 0 && errno == ESRCH) || isZombie(pid)
    }

    /// Exited and not yet reaped: a daemon whose parent left is reaped by init, which in
    /// a container may be slow to do so, or never do it.
    public static func isZombie(_ pid: pid_t) -> Bool {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 512)
        let count = read(fd, &bytes, bytes.count)
        guard count > 0 else { return false }
        // "pid (comm) S ...": the state follows the last ')'.
        let text = bytes[0..<count]
        guard let close = text.lastIndex(of: UInt8(ascii: ")")), close + 2 < count else { return false }
        return text[close + 2] == UInt8(ascii: "Z")
    }
}
