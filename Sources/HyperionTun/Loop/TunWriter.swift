#if os(Linux)
/// How a handler writes to the device. Each call is one write(2) of one packet on the
/// loop's thread, so packets leave in the order the handler writes them.
///
/// Valid only during the handler call it was passed to.
public struct TunWriter {
    let io: TunLoopIO

    /// Whether the device carries virtio headers (see `TunOffloadHeader`).
    public var offloadEnabled: Bool { io.headerSize > 0 }

    /// Writes the packet being handled (as the handler left it in place) back to the device
    /// with its own virtio header, or with `header` instead when given, in one write(2).
    /// `length` shortens or extends the packet within its buffer (default: as read).
    /// Only inside `handlePacket`; returns false there when the device refused the write,
    /// and always false elsewhere.
    @discardableResult
    public func writeBack(length: Int? = nil, header: TunOffloadHeader? = nil) -> Bool {
        guard let current = io.currentLength else { return false }
        let length = length ?? current
        precondition((0...TunLoopIO.packetCapacity).contains(length), "a TUN packet has at most 64 KiB")
        if let header, io.headerSize > 0 {
            header.write(to: io.buffer)
        }
        return io.writeBuffered(length: length)
    }

    /// Writes a new, complete IP packet (all checksums filled in) with a plain virtio
    /// header when the device has one. False when the device refused it.
    @discardableResult
    public func write(_ packet: UnsafeRawBufferPointer) -> Bool {
        io.writeNew(packet)
    }

    /// Writes a new, complete IP packet; see `write(_:)`.
    @discardableResult
    public func write(_ packet: [UInt8]) -> Bool {
        packet.withUnsafeBytes { io.writeNew($0) }
    }
}

@available(*, unavailable)
extension TunWriter: Sendable {}
#endif
