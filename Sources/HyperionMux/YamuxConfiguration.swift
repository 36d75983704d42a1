import NIOCore

/// Which end of the yamux session we are. The client opens odd stream ids, the server even
/// ones (in Hyperion the server never opens streams, it only accepts).
public enum YamuxRole: Sendable {
    case client
    case server
}

/// The knobs of one yamux session. The defaults are what Hyperion runs with.
public struct YamuxConfiguration: Sendable {
    public var role: YamuxRole
    /// The spec's initial per-stream window. Both ends assume it; it never travels on the wire,
    /// so changing it breaks interoperability. Only tests should touch it.
    public var initialWindow: UInt32 = 256 * 1024
    /// The cap of receive-window auto-tuning (config: `max_receive_window_kib`). Also the
    /// largest data frame the parser accepts, so a huge length is refused before buffering.
    public var maximumReceiveWindow: UInt32 = 16 * 1024 * 1024
    /// The most a new stream starts with: the window its session's streams grew to, up to
    /// this (and `maximumReceiveWindow`). Enough for about 4 MB per round trip of 20 ms from
    /// the first byte; a stream that needs more grows as before. It is credit, not memory:
    /// bytes are buffered only while the stream's reader is slower than the peer.
    public var maximumStartWindow: UInt32 = 4 * 1024 * 1024
    /// Open streams per connection, in both directions together.
    public var maximumStreams: Int = 512
    /// Inbound streams whose initializer has not completed yet.
    public var acceptBacklog: Int = 256
    /// Streams we opened whose ACK has not arrived. rust-yamux refuses more than 256, so
    /// further opens wait for ACKs instead of being sent.
    public var maximumUnacknowledgedOutbound: Int = 256
    /// The largest data frame we send, so that one busy stream cannot delay the others' frames
    /// by more than this many bytes.
    public var maximumDataFrameLength: Int = 64 * 1024
    /// Per-stream outbound buffering: a stream is unwritable above `high` pending bytes.
    public var streamWriteBufferWaterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 32 * 1024, high: 64 * 1024)
    /// Outstanding pings we wait for at most; more `ping` calls fail.
    public var maximumOutstandingPings: Int = 16
    /// Send one ping as soon as the connection is active, so that receive-window auto-tuning
    /// has a round-trip time to work with before the first bulk transfer ends.
    public var measuresRoundTripTimeOnStart: Bool = true

    public init(role: YamuxRole) {
        self.role = role
    }
}
