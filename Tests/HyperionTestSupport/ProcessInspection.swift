import CHyperionTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a test can see of a running process from outside, through /proc and pidfd: who it
/// runs as, its environment block, and the options of its TCP sockets.
enum ProcessInspection {
    /// The real uid of `pid` (the first field of `Uid:` in /proc/PID/status).
    static func uid(of pid: pid_t) throws -> uid_t {
        let status = String(decoding: try read("/proc/\(pid)/status"), as: UTF8.self)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }),
              let field = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first,
              let uid = uid_t(field)
        else { throw TestFailure("no Uid line in /proc/\(pid)/status") }
        return uid
    }

    /// /proc/PID/environ: the environment block the process was started with, as the
    /// kernel shows it to anyone allowed to read it (the same user, root).
    static func environmentBlock(of pid: pid_t) throws -> [UInt8] {
        try read("/proc/\(pid)/environ")
    }

    /// Sockets on 127.0.0.1 in TIME-WAIT whose local port is `port` (/proc/net/tcp, state
    /// 06), whichever process they came from.
    static func timeWaitCount(localPort port: Int) throws -> Int {
        let table = String(decoding: try read("/proc/net/tcp"), as: UTF8.self)
        return table.split(separator: "\n").dropFirst().filter { line in
            let fields = line.split(separator: " ")
            guard fields.count > 3, let local = fields[1].split(separator: ":").last, let localPort = Int(local, radix: 16) else { return false }
            return localPort == port && fields[3] == "06"
        }.count
    }

    /// The whole of a /proc file. They report a size of 0 and are made as they are read,
    /// a page at a time, so read until EOF (Foundation's file reading stops early).
    static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TestFailure("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw TestFailure("cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { return bytes }
            bytes += chunk[..<n]
        }
    }

    /// A TCP socket of another process, read through a duplicate of its descriptor.
    struct TCPSocket: CustomStringConvertible {
        let fd: Int32
        let localPort: Int
        let peerPort: Int?
        let listening: Bool
        let noDelay: Bool
        let debug: Bool
        /// TCP_USER_TIMEOUT in milliseconds (0: the kernel's default).
        let userTimeout: Int32
        /// TCP_RTO_MAX_MS in milliseconds; nil where the kernel lacks it (before 6.15).
        let retransmissionTimeoutMax: Int32?

        var description: String {
            "fd \(fd) local :\(localPort) peer \(peerPort.map { ":\($0)" } ?? "-")\(listening ? " listening" : "")"
                + " TCP_NODELAY=\(noDelay ? 1 : 0) SO_DEBUG=\(debug ? 1 : 0) TCP_USER_TIMEOUT=\(userTimeout)"
                + " TCP_RTO_MAX_MS=\(retransmissionTimeoutMax.map { "\($0)" } ?? "-")"
        }
    }

    /// TCP_RTO_MAX_MS (Linux 6.15, include/uapi/linux/tcp.h; not in the C headers here).
    static let tcpRTOMaxMS: Int32 = 44

    /// Whether this kernel has TCP_RTO_MAX_MS: asked of a fresh socket of our own.
    static var kernelHasRetransmissionTimeoutMax: Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return option(fd, Int32(IPPROTO_TCP), tcpRTOMaxMS) != nil
    }

    /// Every IPv4/IPv6 TCP socket of `pid`: the descriptors of /proc/PID/fd that are
    /// sockets, each duplicated into this process with pidfd_getfd and asked with
    /// getsockopt. Needs ptrace access to `pid` (root, or the same user and a child).
    static func tcpSockets(of pid: pid_t) throws -> [TCPSocket] {
        let pidfd = chyperion_test_pidfd_open(pid)
        guard pidfd >= 0 else { throw TestFailure("pidfd_open(\(pid)): \(String(cString: strerror(-pidfd)))") }
        defer { close(pidfd) }
        var sockets: [TCPSocket] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") {
            guard let target = Int32(name),
                  let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(name)"),
                  link.hasPrefix("socket:")
            else { continue }
            let fd = chyperion_test_pidfd_getfd(pidfd, target)
            if fd == -EBADF { continue }  // closed since the listing
            guard fd >= 0 else { throw TestFailure("pidfd_getfd(\(pid), \(target)): \(String(cString: strerror(-fd)))") }
            defer { close(fd) }
            let family = option(fd, SOL_SOCKET, SO_DOMAIN)
            guard family == AF_INET || family == AF_INET6, option(fd, SOL_SOCKET, SO_TYPE) == Int32(SOCK_STREAM.rawValue) else { continue }
            guard let localPort = port(fd, getsockname) else { continue }
            sockets.append(TCPSocket(
                fd: target, localPort: localPort, peerPort: port(fd, getpeername),
                listening: option(fd, SOL_SOCKET, SO_ACCEPTCONN) == 1,
                noDelay: option(fd, Int32(IPPROTO_TCP), TCP_NODELAY) != 0,
                debug: option(fd, SOL_SOCKET, SO_DEBUG) != 0,
                userTimeout: option(fd, Int32(IPPROTO_TCP), Int32(TCP_USER_TIMEOUT)) ?? 0,
                retransmissionTimeoutMax: option(fd, Int32(IPPROTO_TCP), tcpRTOMaxMS)
            ))
        }
        return sockets
    }

    private static func option(_ fd: Int32, _ level: Int32, _ name: Int32) -> Int32? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, level, name, &value, &length) == 0 ? value : nil
    }

    private static func port(_ fd: Int32, _ call: (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, &length) } }
        guard result == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) } }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) } }
        default:
            return nil
        }
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in these bytes.
    func contains(bytes needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        return (0...(count - needle.count)).contains { start in self[start..<(start + needle.count)].elementsEqual(needle) }
    }
}
