/// An outbound user event that ends a yamux stream with RST, whatever its state: the way
/// to tell the peer that what it received is incomplete. `close(mode: .all)` would end a
/// stream whose peer already finished with a FIN instead, which reads as a clean end.
///
///     channel.triggerUserOutboundEvent(YamuxStreamReset(), promise: nil)
///
/// The channel closes at once; a stream that ended cleanly in both directions has nothing
/// left to reset and just closes.
public struct YamuxStreamReset: Hashable, Sendable {
    public init() {}
}
