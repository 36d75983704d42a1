import HyperionWire
import NIOCore

// MARK: Inbound frames

extension YamuxMultiplexer {
    /// Applies one inbound frame: the session decides, this method does what it says.
    func receive(_ frame: YamuxFrame) throws {
        switch try self.session.receive(frame.header, now: self.eventLoop.now) {
        case .none:
            break
        case .pingReceived(let opaque, let reply):
            self.write(reply)
            self.context?.fireUserInboundEventTriggered(YamuxSessionEvent.pingReceived(opaque: opaque))
        case .pingAnswered(let opaque, let roundTripTime):
            self.pingPromises.removeValue(forKey: opaque)?.succeed(roundTripTime)
        case .goAwayReceived(let code, let refusedStreams):
            self.logger.debug("yamux peer sent go away", metadata: ["code": "\(code)"])
            for id in refusedStreams {
                self.children[id]?.closeWithError(
                    YamuxError(.streamRefused, "stream \(id) was not opened: the peer sent go away (code \(code))")
                )
            }
            self.context?.fireUserInboundEventTriggered(YamuxSessionEvent.goAwayReceived(code: code))
            self.checkAllStreamsClosed()
        case .stream(let action):
            self.apply(action, payload: frame.payload)
        }
    }

    private func apply(_ action: YamuxStreamAction, payload: ByteBuffer?) {
        let id = action.streamID
        // The ACK goes out before anything the new stream's initializer may write.
        if let reply = action.reply { self.write(reply) }
        if let refusal = action.refusal { self.logRefusal(id, refusal) }
        if action.openedByPeer { self.openInboundStream(id) }
        if action.acknowledged { self.sendPendingOpens() }
        guard let child = self.children[id] else { return }
        if action.sendWindowOpened { child.sendCapacityIncreased() }
        if action.deliverPayload, let payload { child.receive(payload) }
        if action.remoteFinished { child.receiveFin() }
        if action.deliverPayload || action.remoteFinished, !child.hasPendingReadComplete {
            child.hasPendingReadComplete = true
            self.childrenWithPendingReads.append(child)
        }
        if let error = action.closedWithError { child.closeWithError(error) }
    }

    /// Refusals are logged at notice, at most one line per second (`YamuxRefusalLog`): the
    /// first at once, the rest summed up. A summary still due when the session ends is
    /// logged on time all the same, so the bound holds also across the end.
    private func logRefusal(_ id: UInt32, _ refusal: YamuxRefusal) {
        switch self.refusalLog.refused(stream: id, because: refusal, now: self.eventLoop.now) {
        case .log(let line):
            self.logger.notice("\(line)")
        case .summarize(let deadline):
            self.scheduleRefusalSummary(at: deadline)
        case .counted:
            break
        }
    }

    private func scheduleRefusalSummary(at deadline: NIODeadline) {
        self.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            if let line = self.refusalLog.summary(now: self.eventLoop.now) {
                self.logger.notice("\(line)")
            } else if let later = self.refusalLog.summaryDeadline {
                self.scheduleRefusalSummary(at: later)
            }
        }
    }

    /// Sends the SYNs of queued opens as far as unacknowledged streams allow.
    func sendPendingOpens() {
        while let (id, syn) = self.session.nextPendingOpen() {
            self.write(syn)
            self.children[id]?.sendCapacityIncreased()
        }
    }
}

// MARK: Outbound frames

extension YamuxMultiplexer {
    /// Writes a frame to the connection (unflushed). The payload is a separate write so that
    /// stream buffers pass through without being copied next to their header.
    func write(_ header: YamuxHeader, payload: ByteBuffer? = nil, promise: EventLoopPromise<Void>? = nil) {
        guard let context = self.context else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: YamuxHeader.size)
        header.write(into: &buffer)
        if let payload {
            context.write(Self.wrapOutboundOut(buffer), promise: nil)
            context.write(Self.wrapOutboundOut(payload), promise: promise)
        } else {
            context.write(Self.wrapOutboundOut(buffer), promise: promise)
        }
        self.flushPending = true
    }

    /// Flushes what was written, unless a read cycle is under way: its end flushes once.
    func flushIfNeeded() {
        guard self.flushPending, !self.isReading, let context = self.context else { return }
        self.flushPending = false
        context.flush()
    }
}

// MARK: Calls from stream channels

extension YamuxMultiplexer {
    func sendableBytes(_ id: UInt32) -> Int {
        self.session.sendableBytes(id)
    }

    /// The stream may send, but the peer's window for it is used up.
    func isSendWindowExhausted(_ id: UInt32) -> Bool {
        guard !self.session.isClosed, let stream = self.session.stream(id) else { return false }
        return stream.state.canSend && stream.sendWindow.available == 0
    }

    func sendData(_ id: UInt32, _ payload: ByteBuffer, promise: EventLoopPromise<Void>?) {
        let header = self.session.sendData(id, length: payload.readableBytes)
        self.write(header, payload: payload, promise: promise)
    }

    func finishStream(_ id: UInt32) -> YamuxFinishResult {
        let result = self.session.finishStream(id)
        if case .send(let fin) = result { self.write(fin) }
        return result
    }

    func peerFinished(_ id: UInt32) -> Bool {
        self.session.stream(id)?.state.hasReceivedFin ?? false
    }

    func consumed(_ id: UInt32, length: Int) {
        if let update = self.session.consumed(id, length: length, now: self.eventLoop.now) {
            self.write(update)
        }
    }

    func acceptCompleted(_ id: UInt32) {
        self.session.acceptCompleted(id)
    }

    /// A stream channel closed: its entry goes, with an RST if it was still open.
    func childClosed(_ id: UInt32) {
        self.children.removeValue(forKey: id)
        if let reset = self.session.closeStream(id) { self.write(reset) }
        self.sendPendingOpens()
        self.flushIfNeeded()
        self.checkAllStreamsClosed()
    }

    func childFlushed() {
        self.flushIfNeeded()
    }
}
