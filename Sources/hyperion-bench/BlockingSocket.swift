// Plain blocking TCP sockets for the benchmark's load tools. They stay out of NIO on
// purpose: the tools must add as little latency of their own as possible, the same for
// every path they measure.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

struct SocketFailure: Error, CustomStringConvertible {
    let description: String
    init(_ what: String) { description = "\(what): \(String(cString: strerror(errno)))" }
}

struct BlockingSocket {
    let fd: Int32

    /// A listening socket on 127.0.0.1; `port` 0 picks a free one.
    static func listen(port: UInt16) throws -> (BlockingSocket, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketFailure("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 1024) == 0 else { throw SocketFailure("bind/listen on 127.0.0.1:\(port)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (BlockingSocket(fd: fd), UInt16(bigEndian: address.sin_port))
    }

    /// A connection to `host` (an IPv4 literal, default loopback) on `port`.
    static func connect(port: UInt16, host: String = "127.0.0.1") throws -> BlockingSocket {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketFailure("socket") }
        var address = loopback(port: port)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            _ = Glibc.close(fd)
            throw SocketFailure("\(host) is not an IPv4 address")
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            _ = Glibc.close(fd)
            throw SocketFailure("connect to \(host):\(port)")
        }
        let socket = BlockingSocket(fd: fd)
        socket.setNoDelay()
        return socket
    }

    func accept() throws -> BlockingSocket {
        while true {
            let client = Glibc.accept(fd, nil, nil)
            if client >= 0 {
                let socket = BlockingSocket(fd: client)
                socket.setNoDelay()
                return socket
            }
            if errno != EINTR { throw SocketFailure("accept") }
        }
    }

    func setNoDelay() {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Reads up to `count` bytes; 0 means end of input.
    func readSome(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        while true {
            let n = read(fd, buffer, count)
            if n >= 0 { return n }
            if errno != EINTR { throw SocketFailure("read") }
        }
    }

    /// Reads exactly `count` bytes, or fails at end of input.
    func readFull(into buffer: UnsafeMutableRawPointer, count: Int) throws {
        var done = 0
        while done < count {
            let n = try readSome(into: buffer + done, count: count - done)
            if n == 0 { throw SocketFailure("end of input after \(done) of \(count) bytes") }
            done += n
        }
    }

    func writeAll(_ buffer: UnsafeRawPointer, count: Int) throws {
        var done = 0
        while done < count {
            let n = write(fd, buffer + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw SocketFailure("write")
            }
            done += n
        }
    }

    func shutdownOutput() { shutdown(fd, Int32(SHUT_WR)) }
    func close() { _ = Glibc.close(fd) }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
