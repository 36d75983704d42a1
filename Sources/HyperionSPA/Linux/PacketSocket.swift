#if os(Linux)
import CHyperionLinux
import Glibc

/// The sniffer's AF_PACKET SOCK_RAW socket, with the knock filter attached before it can
/// receive anything.
///
/// The socket is opened with protocol 0, which receives nothing, then gets the filter and
/// only then is bound to ETH_P_ALL. Opening with ETH_P_ALL and attaching afterwards would
/// leave a moment in which unfiltered frames queue up; this order has none. (The sniffer
/// still checks every frame in user space: the filter is an optimization, not the gate.)
struct PacketSocket {
    let fd: Int32

    static func open(knockPort: UInt16, receiveBufferBytes: Int) throws(SPAError) -> PacketSocket {
        let fd = chyperion_packet_socket()
        guard fd >= 0 else { throw failure("opening an AF_PACKET socket", -fd, hint: " (needs CAP_NET_RAW)") }
        let socket = PacketSocket(fd: fd)
        do throws(SPAError) {
            let program = KnockFilterProgram.instructions(knockPort: knockPort).map {
                sock_filter(code: $0.code, jt: $0.jumpIfTrue, jf: $0.jumpIfFalse, k: $0.k)
            }
            let attached = program.withUnsafeBufferPointer {
                chyperion_attach_filter(fd, $0.baseAddress, UInt16($0.count))
            }
            guard attached == 0 else { throw failure("attaching the knock filter", -attached) }
            // Best effort: kernels before 4.20 lack it, and outgoing frames are skipped by
            // their packet type anyway.
            _ = chyperion_packet_ignore_outgoing(fd)
            let sized = chyperion_set_receive_buffer(fd, Int32(receiveBufferBytes))
            guard sized == 0 else { throw failure("setting the receive buffer", -sized) }
            let bound = chyperion_packet_bind_all(fd)
            guard bound == 0 else { throw failure("binding the packet socket", -bound) }
        } catch {
            Glibc.close(fd)
            throw error
        }
        return socket
    }

    /// Receives one frame into `buffer`: its full length (over `buffer.count` when
    /// truncated) with packet and hardware type, nil when nothing is queued, or an errno.
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> Result<(length: Int, packetType: UInt8, hardwareType: UInt16), Errno>? {
        var packetType: UInt8 = 0
        var hardwareType: UInt16 = 0
        let length = chyperion_packet_receive(fd, buffer.baseAddress, buffer.count, &packetType, &hardwareType)
        if length >= 0 { return .success((length, packetType, hardwareType)) }
        let code = Int32(-length)
        if code == EAGAIN || code == EWOULDBLOCK { return nil }
        return .failure(Errno(code: code))
    }

    /// Frames the kernel dropped since the last call.
    func takeDrops() -> UInt64 {
        UInt64(max(0, chyperion_packet_drops(fd)))
    }

    func close() { Glibc.close(fd) }

    static func failure(_ what: String, _ code: Int32, hint: String = "") -> SPAError {
        SPAError(.systemCallFailed, "\(what) failed: \(Errno(code: code))\(hint)")
    }
}

/// An errno value with its text.
struct Errno: Error, CustomStringConvertible {
    let code: Int32
    var description: String { String(cString: strerror(code)) }
}
#endif
