import HyperionWire
import NIOCore

/// The yamux session as a pure state machine: the stream table, stream id allocation, the
/// limits, go away and pings. Frames and calls go in, frames to send and actions come out.
/// It does no I/O and reads no clock: `now` is passed in, so tests drive time.
///
/// Stream entries live from SYN until their channel closes (`closeStream`), so a stream that
/// is closed on the wire but still has a channel counts against `maximumStreams`, and frames
/// for it are ignored rather than treated as unknown. A peer's new stream id must have the
/// peer's parity and have no entry; ids need not increase (see `receive`).
///
/// Its state is spread over `YamuxSession+*.swift` by concern, so it is module-internal
/// rather than private; only the session's own methods change it.
struct YamuxSession {
    struct Stream: Hashable, Sendable {
        var state = YamuxStreamState()
        var sendWindow: YamuxSendWindow
        var receiveWindow: YamuxReceiveWindow
        /// Inbound, and its channel's initializer has not completed (the accept backlog).
        var awaitingAccept = false
    }

    let configuration: YamuxConfiguration
    /// Whether inbound streams are wanted at all (the multiplexer has an initializer).
    let acceptsInboundStreams: Bool
    var streams: [UInt32: Stream] = [:]
    /// Streams opened locally whose SYN waits for room under the unacknowledged limit, oldest
    /// first. Bounded by `maximumStreams`, as each also has an entry in `streams`.
    var pendingOpens = CircularBuffer<UInt32>()
    var nextOutboundID: UInt32
    var unacknowledgedOutbound = 0
    var pendingAccepts = 0
    var sentGoAway: YamuxHeader.GoAwayCode?
    var receivedGoAway: UInt32?
    /// After a protocol error or the end of the connection nothing is sent any more.
    var isClosed = false
    var pings: YamuxPingTracker
    /// The largest window a stream of this session grew to: where new streams start (up to
    /// `maximumStartWindow`), so that each new bulk stream on a path the session already
    /// knows does not wait for the window, round trip after round trip, from 256 KiB again.
    var learnedWindow: UInt32

    init(configuration: YamuxConfiguration, acceptsInboundStreams: Bool) {
        self.configuration = configuration
        self.acceptsInboundStreams = acceptsInboundStreams
        self.nextOutboundID = configuration.role == .client ? 1 : 2
        self.pings = YamuxPingTracker(maximumOutstanding: configuration.maximumOutstandingPings)
        self.learnedWindow = configuration.initialWindow
    }

    var isGoingAway: Bool { self.sentGoAway != nil || self.receivedGoAway != nil }

    /// Whether the peer opens odd (we are the server) or even (we are the client) ids.
    func isPeerStreamID(_ id: UInt32) -> Bool {
        (id % 2 == 1) == (self.configuration.role == .server)
    }

    func stream(_ id: UInt32) -> Stream? { self.streams[id] }

    func newStream(now: NIODeadline) -> Stream {
        Stream(
            sendWindow: YamuxSendWindow(initial: self.configuration.initialWindow),
            receiveWindow: YamuxReceiveWindow(
                initial: self.configuration.initialWindow,
                start: min(self.learnedWindow, max(self.configuration.maximumStartWindow, self.configuration.initialWindow)),
                maximum: self.configuration.maximumReceiveWindow,
                now: now
            )
        )
    }

    /// What stream `id` grants beyond the initial window, in its SYN or ACK.
    func extraStartCredit(_ id: UInt32) -> UInt32 {
        (self.streams[id]?.receiveWindow.target ?? 0) &- self.configuration.initialWindow
    }
}

// MARK: Opening and accepting streams

extension YamuxSession {
    /// Opens a stream. Returns its id, and its SYN (a window update with delta 0) unless the
    /// SYN must wait for ACKs of earlier streams; `nextPendingOpen` releases it later.
    mutating func openStream(now: NIODeadline) throws -> (streamID: UInt32, syn: YamuxHeader?) {
        guard !self.isClosed else {
            throw YamuxError(.sessionGoingAway, "cannot open a stream: the yamux session is closed")
        }
        if let code = self.receivedGoAway {
            throw YamuxError(.sessionGoingAway, "cannot open a stream: the peer sent go away (code \(code))")
        }
        if self.sentGoAway != nil {
            throw YamuxError(.sessionGoingAway, "cannot open a stream: this session sent go away")
        }
        guard self.streams.count < self.configuration.maximumStreams else {
            throw YamuxError(
                .limitReached,
                "cannot open a stream: \(self.streams.count) streams are open, the limit is \(self.configuration.maximumStreams)"
            )
        }
        guard self.nextOutboundID < UInt32.max - 1 else {
            throw YamuxError(.limitReached, "cannot open a stream: the stream ids of this session are used up")
        }
        let id = self.nextOutboundID
        self.nextOutboundID += 2
        self.streams[id] = self.newStream(now: now)
        guard self.pendingOpens.isEmpty,
            self.unacknowledgedOutbound < self.configuration.maximumUnacknowledgedOutbound
        else {
            self.pendingOpens.append(id)
            return (id, nil)
        }
        return (id, self.sendSyn(id))
    }

    /// The next queued open whose SYN may go now, if any.
    mutating func nextPendingOpen() -> (streamID: UInt32, syn: YamuxHeader)? {
        guard !self.isClosed else { return nil }
        while self.unacknowledgedOutbound < self.configuration.maximumUnacknowledgedOutbound,
            let id = self.pendingOpens.popFirst()
        {
            // Streams closed while queued were removed from the table; skip them.
            guard self.streams[id]?.state.phase == .idle else { continue }
            return (id, self.sendSyn(id))
        }
        return nil
    }

    private mutating func sendSyn(_ id: UInt32) -> YamuxHeader {
        self.streams[id]!.state.sendSyn()
        self.unacknowledgedOutbound += 1
        return YamuxHeader(type: .windowUpdate, flags: .syn, streamID: id, length: self.extraStartCredit(id))
    }

    /// The channel of inbound stream `id` finished its initializer: it leaves the backlog.
    mutating func acceptCompleted(_ id: UInt32) {
        guard self.streams[id]?.awaitingAccept == true else { return }
        self.streams[id]!.awaitingAccept = false
        self.pendingAccepts -= 1
    }
}
