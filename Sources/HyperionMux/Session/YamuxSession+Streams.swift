import HyperionWire
import NIOCore

// MARK: Calls on behalf of one stream's channel

extension YamuxSession {
    /// How many bytes stream `id` may put in its next data frame: bounded by the peer's
    /// window and our frame length limit, and 0 before our SYN left or after our FIN.
    func sendableBytes(_ id: UInt32) -> Int {
        guard !self.isClosed, let stream = self.streams[id], stream.state.canSend else { return 0 }
        return stream.sendWindow.sendableBytes(maximumFrameLength: self.configuration.maximumDataFrameLength)
    }

    /// Accounts for a data frame of `length` bytes about to be sent on stream `id` and
    /// returns its header. `length` must not exceed `sendableBytes(id)`.
    mutating func sendData(_ id: UInt32, length: Int) -> YamuxHeader {
        precondition(length <= self.sendableBytes(id), "data frame beyond the send window")
        self.streams[id]!.sendWindow.consume(length)
        return YamuxHeader(type: .data, streamID: id, length: UInt32(length))
    }

    /// Our side of stream `id` is done (after all its data was sent): FIN.
    mutating func finishStream(_ id: UInt32) -> YamuxFinishResult {
        guard !self.isClosed, let stream = self.streams[id] else { return .impossible }
        if stream.state.phase == .idle { return .notYet }
        guard stream.state.canSend else { return .impossible }
        self.streams[id]!.state.sendFin()
        return .send(YamuxHeader(type: .windowUpdate, flags: .fin, streamID: id, length: 0))
    }

    /// `length` bytes of stream `id` reached its pipeline. Returns the window update to send,
    /// if credit is due. None once the peer finished or the stream ended: it would be unused.
    mutating func consumed(_ id: UInt32, length: Int, now: NIODeadline) -> YamuxHeader? {
        guard let stream = self.streams[id], length > 0 else { return nil }
        let delta = self.streams[id]!.receiveWindow.consume(
            UInt32(length),
            now: now,
            roundTripTime: self.pings.smoothedRoundTripTime
        )
        self.learnedWindow = max(self.learnedWindow, self.streams[id]!.receiveWindow.target)
        guard let delta, !self.isClosed, stream.state.canReceive else { return nil }
        return YamuxHeader(type: .windowUpdate, streamID: id, length: delta)
    }

    /// The channel of stream `id` closed: the entry goes. Returns the RST to send if the
    /// stream was still open on the wire (a graceful end sends its FINs before).
    mutating func closeStream(_ id: UInt32) -> YamuxHeader? {
        guard let stream = self.streams.removeValue(forKey: id) else { return nil }
        if stream.state.awaitingAcknowledgement { self.unacknowledgedOutbound -= 1 }
        if stream.awaitingAccept { self.pendingAccepts -= 1 }
        guard !self.isClosed, stream.state.isOpenOnWire, !stream.state.isTerminal else { return nil }
        return YamuxHeader(type: .windowUpdate, flags: .rst, streamID: id, length: 0)
    }

    /// Resets stream `id` now, keeping its entry until its channel closes.
    mutating func resetStream(_ id: UInt32) -> YamuxHeader? {
        guard !self.isClosed, let stream = self.streams[id], stream.state.isOpenOnWire, !stream.state.isTerminal else {
            return nil
        }
        if stream.state.awaitingAcknowledgement { self.unacknowledgedOutbound -= 1 }
        self.streams[id]!.state.reset()
        return YamuxHeader(type: .windowUpdate, flags: .rst, streamID: id, length: 0)
    }
}

// MARK: Session-wide calls

extension YamuxSession {
    /// Sends go away: no stream is opened or accepted afterwards. Queued opens are refused
    /// (returned, removed). The frame is nil if go away was already sent.
    mutating func goAway(code: YamuxHeader.GoAwayCode) -> (frame: YamuxHeader?, refusedStreams: [UInt32]) {
        guard !self.isClosed, self.sentGoAway == nil else { return (nil, []) }
        self.sentGoAway = code
        let frame = YamuxHeader(type: .goAway, streamID: 0, length: code.rawValue)
        return (frame, self.removePendingOpens())
    }

    /// Starts a ping; nil if the session is closed or too many pings are outstanding.
    mutating func ping(now: NIODeadline) -> (opaque: UInt32, frame: YamuxHeader)? {
        guard !self.isClosed, let opaque = self.pings.start(now: now) else { return nil }
        return (opaque, YamuxHeader(type: .ping, flags: .syn, streamID: 0, length: opaque))
    }

    /// A protocol error: the go away(1) to send (unless the session already ended). The
    /// session is closed afterwards.
    mutating func fail() -> YamuxHeader? {
        guard !self.isClosed else { return nil }
        self.close()
        return YamuxHeader(type: .goAway, streamID: 0, length: YamuxHeader.GoAwayCode.protocolError.rawValue)
    }

    /// The connection ended: nothing more is sent. Returns the opaque values of the pings
    /// that will never be answered. Stream entries stay until their channels close.
    @discardableResult
    mutating func close() -> [UInt32] {
        self.isClosed = true
        self.pendingOpens.removeAll()
        return self.pings.removeAll()
    }

    mutating func removePendingOpens() -> [UInt32] {
        var refused: [UInt32] = []
        while let id = self.pendingOpens.popFirst() {
            if self.streams[id]?.state.phase == .idle { refused.append(id) }
        }
        return refused
    }
}
