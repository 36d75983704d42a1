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
