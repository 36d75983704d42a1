/// Events the multiplexer fires on the connection's pipeline after itself.
public enum YamuxSessionEvent: Hashable, Sendable {
    /// The peer sent go away: it accepts no new streams; existing ones continue. The raw
    /// code is kept because a peer may send one the spec does not define.
    case goAwayReceived(code: UInt32)
    /// The peer sent a ping (already answered). Its opaque value is meaningless to yamux;
    /// an application may give one a meaning of its own.
    case pingReceived(opaque: UInt32)
}
