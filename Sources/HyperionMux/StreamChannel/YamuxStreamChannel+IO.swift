import NIOCore

// MARK: Outbound data

extension YamuxStreamChannel {
    /// Sends flushed writes as far as the send window goes, in frames of at most the
    /// session's frame length; a write larger than that leaves as several frames, its promise
    /// on the last. The FIN follows the last write before it.
    func deliverPendingWrites() {
        while self.lifecycle == .active, self.pendingWrites.hasMark, let (write, promise) = self.pendingWrites.first {
            switch write {
            case .data(var bytes):
                guard bytes.readableBytes > 0 else {
                    _ = self.pendingWrites.popFirst()
                    promise?.succeed(())
                    continue
                }
                let sendable = self.multiplexer.sendableBytes(self.streamID)
                guard sendable > 0 else {
                    if self.windowWaitStarted == nil, self.multiplexer.isSendWindowExhausted(self.streamID) {
                        self.windowWaitStarted = self.eventLoop.now
                    }
                    return
                }
                let frame: ByteBuffer
                let framePromise: EventLoopPromise<Void>?
                if bytes.readableBytes <= sendable {
                    _ = self.pendingWrites.popFirst()
                    frame = bytes
                    framePromise = promise
                } else {
                    frame = bytes.readSlice(length: sendable)!
                    framePromise = nil
                    self.pendingWrites[self.pendingWrites.startIndex] = (.data(bytes), promise)
                }
                self.multiplexer.sendData(self.streamID, frame, promise: framePromise)
                if let isWritable = self.writability.wrote(frame.readableBytes) {
                    self.writabilityChanged(to: isWritable)
                }
            case .fin:
                switch self.multiplexer.finishStream(self.streamID) {
                case .notYet:
                    return
                case .send:
                    _ = self.pendingWrites.popFirst()
                    self.outputClosed = true
                    promise?.succeed(())
                    self.pipeline.fireUserInboundEventTriggered(ChannelEvent.outputClosed)
                    self.closeIfBothDirectionsFinished()
                case .impossible:
                    _ = self.pendingWrites.popFirst()
                    promise?.fail(ChannelError.outputClosed)
                }
            }
        }
    }

    /// The send window grew or our SYN left: queued writes may go.
    func sendCapacityIncreased() {
        if let started = self.windowWaitStarted {
            // How long the peer's window held this stream back: on a lossy path, the time its
            // window update spent behind our data in the other direction (PERFORMANCE.md, "Loss").
            self.windowWaitStarted = nil
            let waited = self.eventLoop.now - started
            if waited >= .milliseconds(10) {
                self.multiplexer.logger.debug(
                    "yamux stream waited for the peer's window",
                    metadata: ["stream": "\(self.streamID)", "ms": "\(waited.nanoseconds / 1_000_000)"]
                )
            }
        }
        if self.lifecycle == .active { self.deliverPendingWrites() }
    }

    func parentWritabilityChanged(_ isWritable: Bool) {
        if let isWritable = self.writability.parentWritabilityChanged(isWritable) {
            self.writabilityChanged(to: isWritable)
        }
    }

    /// After FIN both ways the stream is over; with half-closure the application saw
    /// `inputClosed` and `outputClosed`, and nobody needs the channel any more.
    func closeIfBothDirectionsFinished() {
        guard self.lifecycle == .active, self.inputClosed, self.outputClosed else { return }
        self.closeNow(error: nil, promise: nil)
    }
}

// MARK: Inbound data

extension YamuxStreamChannel {
    func receive(_ bytes: ByteBuffer) {
        guard self.lifecycle != .closed else { return }
        self.pendingReads.append(bytes)
    }

    func receiveFin() {
        guard self.lifecycle != .closed else { return }
        self.remoteFinPending = true
    }

    /// The connection's read cycle ended: a waiting `read()` gets what arrived.
    func parentReadComplete() {
        self.hasPendingReadComplete = false
        self.tryToRead()
    }

    func tryToRead() {
        guard self.unsatisfiedRead, self.lifecycle == .active, !self.pendingReads.isEmpty || self.remoteFinPending else {
            return
        }
        self.unsatisfiedRead = false
        self.deliverPendingReads()
        self.tryToAutoRead()
    }

    func tryToAutoRead() {
        if self.autoRead, self.lifecycle == .active { self.pipeline.read() }
    }

    /// Hands buffered data to the pipeline, returning its window credit as it goes, then
    /// the peer's FIN once nothing is left before it.
    private func deliverPendingReads() {
        var delivered = false
        while self.lifecycle == .active, let bytes = self.pendingReads.popFirst() {
            self.multiplexer.consumed(self.streamID, length: bytes.readableBytes)
            self.pipeline.syncOperations.fireChannelRead(NIOAny(bytes))
            delivered = true
        }
        if delivered, self.lifecycle == .active { self.pipeline.fireChannelReadComplete() }
        guard self.lifecycle == .active, self.remoteFinPending, self.pendingReads.isEmpty else { return }
        self.remoteFinPending = false
        self.inputClosed = true
        if self.allowRemoteHalfClosure {
            self.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            self.closeIfBothDirectionsFinished()
        } else {
            self.close0(error: ChannelError.eof, mode: .all, promise: nil)
        }
    }
}
