/// Events the multiplexer fires on the connection's pipeline after itself.
public enum YamuxSessionEvent: Hashable, Sendable {
    /// The peer sent go away: it accepts no new streams; existing ones continue. The raw
    /// code is kept because a peer may send one the spec does not define.
    case goAwayReceived(code: UInt32)
}
