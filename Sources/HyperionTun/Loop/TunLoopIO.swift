#if os(Linux)
import Glibc

/// The loop thread's side of the device: the one read buffer, the packet in it, the write
/// calls and their counters. Used only on that thread.
final class TunLoopIO {
    /// The largest IP packet (64 KiB) plus the virtio header: a GSO super-packet fits.
    static let packetCapacity = 65536

    let fd: Int32
    let headerSize: Int
    /// Header (if any) followed by the packet, as read(2) filled it.
    let buffer: UnsafeMutableRawBufferPointer
    /// Bytes of the packet now in `buffer` (after the header) while a handler runs on it.
    var currentLength: Int?
    var counters = TunLoopStatistics()

    init(fd: Int32, headerSize: Int) {
        self.fd = fd
        self.headerSize = headerSize
        self.buffer = .allocate(byteCount: Self.packetCapacity + headerSize, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// The packet bytes of `buffer` (after the header).
    var packetArea: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: buffer[headerSize...])
    }

    enum ReadResult {
        case packet(length: Int)
        case empty
        case failed(Int32)
    }

    /// One non-blocking read into `buffer`: the packet's length without the header.
    func readOne() -> ReadResult {
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count >= 0 { return .packet(length: count - headerSize) }
            let code = errno
            if code == EINTR { continue }
            return code == EAGAIN || code == EWOULDBLOCK ? .empty : .failed(code)
        }
    }

    /// Writes `buffer[0 ..< headerSize + length]` with one write(2).
    func writeBuffered(length: Int) -> Bool {
        count(write(fd, buffer.baseAddress, headerSize + length))
    }

    /// Writes a new packet behind a plain (all-zero) header when the device has one: one
    /// writev(2) of header and packet, which the kernel takes as one packet.
    func writeNew(_ packet: UnsafeRawBufferPointer) -> Bool {
        guard packet.count <= Self.packetCapacity else {
            counters.writeErrors += 1
            return false
        }
        guard headerSize > 0 else { return count(write(fd, packet.baseAddress, packet.count)) }
        return withUnsafeTemporaryAllocation(byteCount: TunOffloadHeader.size, alignment: 8) { header in
            TunOffloadHeader.plain.write(to: header)
            var vectors = [
                iovec(iov_base: header.baseAddress, iov_len: header.count),
                iovec(iov_base: UnsafeMutableRawPointer(mutating: packet.baseAddress), iov_len: packet.count),
            ]
            return count(writev(fd, &vectors, 2))
        }
    }

    /// Counts one write's outcome. EAGAIN/ENOBUFS mean the device's input is full: drop,
    /// as a router would; the sender's TCP retransmits.
    private func count(_ result: Int) -> Bool {
        if result >= 0 {
            counters.packetsWritten += 1
            return true
        }
        let code = errno
        if code == EAGAIN || code == EWOULDBLOCK || code == ENOBUFS {
            counters.writesDropped += 1
        } else {
            counters.writeErrors += 1
        }
        return false
    }
}
#endif
