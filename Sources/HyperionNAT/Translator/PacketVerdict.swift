/// What to do with one packet read from the TUN.
public enum PacketVerdict: Sendable {
    /// The packet was rewritten in place: write it back as it is now, with the same virtio
    /// header it came with (a partial checksum stays partial, a complete one complete).
    case rewritten
    /// The first pure SYN of an unknown flow. Nothing is written now: the caller opens a
    /// stream for the request and then calls `admit`, `refuse` or `unreachable` with its
    /// handle.
    case held(FlowRequest)
    /// Write this forged packet (with a virtio header that asks for no checksum work)
    /// instead of the one read: a RST for a packet of an unknown flow, or a RST|ACK that
    /// refuses a new flow when the table is full.
    case reply([UInt8])
    /// Write nothing. The reason is also counted in `NATStatistics.skipped`.
    case dropped(SkipReason)
}

/// Where a live flow is in its life. Only `established` has no deadline.
public enum NATFlowState: Hashable, Sendable {
    /// The first SYN is held while the caller opens its stream.
    case pending
    /// The SYN was injected; the listener has not accepted `peer:natPort` yet.
    case admitted
    /// The listener accepted; the relay runs for as long as the caller says.
    case established
    /// The relay ended; the port still translates stray packets until the hold ends.
    case closing
}
