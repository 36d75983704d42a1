#if os(Linux)
/// What a `TunPacketLoop` runs on its thread for every packet, command and tick.
///
/// Owned by the loop and called only on its thread, one call at a time, so it needs no
/// locks, and packets of a flow stay in order as long as it writes inline.
public protocol TunPacketHandler: AnyObject {
    /// Messages from other threads, through `TunPacketLoop.send`.
    associatedtype Command: Sendable

    /// One complete IP packet read from the device. The handler may rewrite it in place and
    /// `out.writeBack()` it, write other packets with `out.write`, or do nothing (drop).
    /// `header` is the packet's virtio header, nil when offload is off. The bytes are only
    /// valid during this call.
    func handlePacket(_ packet: UnsafeMutableRawBufferPointer, header: TunOffloadHeader?, out: TunWriter)

    /// A command sent from another thread, in the order sent.
    func handleCommand(_ command: Command, out: TunWriter)

    /// Called about every tick interval, also while packets keep arriving: for timeouts.
    func tick(out: TunWriter)
}

extension TunPacketHandler {
    public func tick(out: TunWriter) {}
}
#endif
