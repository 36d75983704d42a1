import NIOCore

/// Channel options only yamux stream channels have.
public enum YamuxChannelOptions: Sendable {
    /// The stream id of a yamux stream channel (read-only).
    public static let streamID = Types.StreamIDOption()

    public enum Types: Sendable {
        public struct StreamIDOption: ChannelOption, Sendable {
            public typealias Value = UInt32
            public init() {}
        }
    }
}

/// Events the multiplexer fires on the connection's pipeline after itself.
public enum YamuxSessionEvent: Hashable, Sendable {
    /// The peer sent go away: it accepts no new streams; existing ones continue. The raw
    /// code is kept because a peer may send one the spec does not define.
    case goAwayReceived(code: UInt32)
}
