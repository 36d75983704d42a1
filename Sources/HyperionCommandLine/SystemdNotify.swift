#if canImport(Glibc)
import Glibc
#endif

/// Readiness for systemd's `Type=notify` (sd_notify(3)), without libsystemd: one datagram
/// to the socket named by `NOTIFY_SOCKET`. Nothing happens outside systemd.
public enum SystemdNotify {
    /// The program is serving: `READY=1`, with a status line for `systemctl status`.
    public static func ready(status: String) {
        send("READY=1\nSTATUS=\(status)")
    }

    /// Shutting down: `STOPPING=1`.
    public static func stopping() {
        send("STOPPING=1")
    }

    static func send(_ message: String, environment: (String) -> String? = { getenv($0).map { String(cString: $0) } }) {
        #if os(Linux)
        guard let path = environment("NOTIFY_SOCKET"), !path.isEmpty,
              path.hasPrefix("/") || path.hasPrefix("@"),
              path.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }   // an abstract socket
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let payload = Array(message.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                payload.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), address, length) }
            }
        }
        #endif
    }
}
