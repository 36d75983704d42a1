import HyperionWire
import NIOCore

// MARK: ChannelHandler

extension YamuxMultiplexer {
    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { self.start() }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.shutDown(YamuxError(.connectionClosed, "the yamux session was removed from the connection"))
        self.context = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        self.start()
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        self.shutDown(YamuxError(.connectionClosed, "the connection under the yamux session closed"))
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Self.unwrapInboundIn(data)
        guard !self.session.isClosed else { return }
        if self.cumulation == nil {
            self.cumulation = bytes
        } else {
            self.cumulation!.writeImmutableBuffer(bytes)
        }
        self.isReading = true
        do {
            while !self.session.isClosed, let frame = try self.parser.nextFrame(from: &self.cumulation!) {
                try self.receive(frame)
            }
        } catch let error as YamuxError {
            self.protocolError(error)
        } catch {
            self.protocolError(YamuxError(.protocolError, "the peer sent a malformed yamux frame: \(error)"))
        }
        self.compactCumulation()
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        // Streams read now, still inside the read cycle, so that what they write in answer
        // goes out with one flush.
        self.isReading = true
        while !self.childrenWithPendingReads.isEmpty {
            let ready = self.childrenWithPendingReads
            self.childrenWithPendingReads.removeAll(keepingCapacity: true)
            for child in ready { child.parentReadComplete() }
        }
        self.isReading = false
        self.flushIfNeeded()
        context.fireChannelReadComplete()
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        let isWritable = context.channel.isWritable
        for child in self.children.values {
            child.parentWritabilityChanged(isWritable)
        }
        self.flushIfNeeded()
        context.fireChannelWritabilityChanged()
    }

    /// Drops consumed bytes. A whole cumulation is released so the next read is used as is;
    /// a partial frame is moved down once the consumed prefix grew large.
    private func compactCumulation() {
        guard let cumulation = self.cumulation else { return }
        if cumulation.readableBytes == 0 {
            self.cumulation = nil
        } else if cumulation.readerIndex >= 64 * 1024 {
            self.cumulation!.discardReadBytes()
        }
    }

    private func start() {
        guard !self.hasStarted else { return }
        self.hasStarted = true
        guard self.configuration.measuresRoundTripTimeOnStart,
            let (_, frame) = self.session.ping(now: self.eventLoop.now)
        else { return }
        self.write(frame)
        self.flushIfNeeded()
    }

    /// A protocol error: go away(1), then every stream fails and the connection closes.
    func protocolError(_ error: YamuxError) {
        self.logger.debug("yamux session failed", metadata: ["error": "\(error)"])
        if let frame = self.session.fail() {
            self.write(frame)
            self.flushPending = false
            self.context?.flush()
        }
        self.shutDown(error)
        self.context?.close(promise: nil)
    }

    /// The session ended: pings and streams fail with `error`. Idempotent.
    func shutDown(_ error: YamuxError) {
        self.session.close()
        self.cumulation = nil
        let pings = self.pingPromises
        self.pingPromises.removeAll()
        for promise in pings.values { promise.fail(error) }
        for child in self.children.values { child.closeWithError(error) }
        self.checkAllStreamsClosed()
    }
}
