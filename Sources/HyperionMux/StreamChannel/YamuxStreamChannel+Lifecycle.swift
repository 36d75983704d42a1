import NIOCore

// MARK: Lifecycle

extension YamuxStreamChannel {
    /// Runs the initializer, then activates. Reads and writes that arrive meanwhile wait.
    func configure(
        initializer: (@Sendable (Channel) -> EventLoopFuture<Void>)?,
        userPromise: EventLoopPromise<Channel>?,
        isInbound: Bool
    ) {
        self.userPromise = userPromise
        if let options = self.parent?.syncOptions, let autoRead = try? options.getOption(ChannelOptions.autoRead) {
            self.autoRead = autoRead
        }
        guard let initializer else {
            self.initializerCompleted(.success(()), isInbound: isInbound)
            return
        }
        initializer(self).hop(to: self.eventLoop).whenComplete { result in
            self.initializerCompleted(result, isInbound: isInbound)
        }
    }

    private func initializerCompleted(_ result: Result<Void, Error>, isInbound: Bool) {
        if isInbound { self.multiplexer.acceptCompleted(self.streamID) }
        switch result {
        case .success:
            self.activate()
        case .failure(let error):
            self.closeWithError(error)
        }
    }

    private func activate() {
        guard self.lifecycle == .initializing else { return }
        self.lifecycle = .active
        let isWritable = self.writability.isWritable
        self.flags.withLockedValue {
            $0.isActive = true
            $0.isWritable = isWritable
        }
        // What the initializer wrote and flushed goes to the multiplexer first, so that
        // whatever the active handlers do next (a read flushes the connection) sends it
        // together with the SYN.
        self.deliverPendingWrites()
        self.pipeline.fireChannelActive()
        if let promise = self.userPromise {
            self.userPromise = nil
            promise.succeed(self)
        }
        guard self.lifecycle == .active else { return }
        self.deliverPendingWrites()
        self.tryToAutoRead()
        // A read() issued during the initializer is still waiting for the data that came.
        self.tryToRead()
        self.multiplexer.childFlushed()
    }

    /// `close(mode: .all)`: FIN if the peer finished and no flushed data of ours is unsent,
    /// else RST, which tells the peer that what it received is incomplete. Unflushed writes
    /// were never committed; they fail either way, as on a socket.
    func closeAll(promise: EventLoopPromise<Void>?) {
        if !self.outputClosed, !self.hasFlushedUnsentData, self.multiplexer.peerFinished(self.streamID),
            case .send = self.multiplexer.finishStream(self.streamID)
        {
            self.outputClosed = true
        }
        self.closeNow(error: nil, promise: promise)
    }

    private var hasFlushedUnsentData: Bool {
        guard let mark = self.pendingWrites.markedElementIndex else { return false }
        let flushed = self.pendingWrites[self.pendingWrites.startIndex..<self.pendingWrites.index(after: mark)]
        return flushed.contains {
            if case .data(let bytes) = $0.0 { return bytes.readableBytes > 0 }
            return false
        }
    }

    /// Ends the stream with `error`: an RST goes out if the stream was still open.
    func closeWithError(_ error: Error) {
        self.closeNow(error: error, promise: nil)
    }

    /// The one way to closed. The multiplexer sends an RST if the stream is still open on
    /// the wire; a graceful close has sent its FIN before.
    func closeNow(error: Error?, promise: EventLoopPromise<Void>?) {
        guard self.lifecycle != .closed else {
            promise?.fail(ChannelError.alreadyClosed)
            return
        }
        let wasActive = self.lifecycle == .active
        self.lifecycle = .closed
        self.pendingReads.removeAll()
        self.remoteFinPending = false
        let writeError = error ?? ChannelError.ioOnClosedChannel
        while let (_, writePromise) = self.pendingWrites.popFirst() { writePromise?.fail(writeError) }
        if let userPromise = self.userPromise {
            self.userPromise = nil
            userPromise.fail(writeError)
        }
        self.multiplexer.childClosed(self.streamID)
        self.flags.withLockedValue { $0.isActive = false }
        if let error, wasActive { self.pipeline.fireErrorCaught(error) }
        promise?.succeed(())
        if wasActive { self.pipeline.fireChannelInactive() }
        self.eventLoop.execute {
            self.removeHandlers(pipeline: self.pipeline)
            if let error {
                self.closePromise.fail(error)
            } else {
                self.closePromise.succeed(())
            }
        }
    }
}
