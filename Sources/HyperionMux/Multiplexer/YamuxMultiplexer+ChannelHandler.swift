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

    /// Data payloads go to the streams as slices of `data`, never copied: the splitter
    /// cuts data frames at read boundaries, so only a cut header is kept across reads.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = Self.unwrapInboundIn(data)
        guard !self.session.isClosed else { return }
        self.isReading = true
        do {
            if var fragment = self.headerFragment {
                var rest = bytes.readSlice(length: min(YamuxHeader.size - fragment.readableBytes, bytes.readableBytes))!
                fragment.writeBuffer(&rest)
                guard fragment.readableBytes == YamuxHeader.size else {
                    self.headerFragment = fragment
                    return
                }
                self.headerFragment = nil
                try self.receiveFrames(from: &fragment)
            }
            try self.receiveFrames(from: &bytes)
            if bytes.readableBytes > 0, !self.session.isClosed {
                // A cut header: copied, so the read buffer is not held for 12 bytes.
                var fragment = context.channel.allocator.buffer(capacity: YamuxHeader.size)
                fragment.writeBuffer(&bytes)
                self.headerFragment = fragment
            }
        } catch let error as YamuxError {
            self.protocolError(error)
        } catch {
            self.protocolError(YamuxError(.protocolError, "the peer sent a malformed yamux frame: \(error)"))
        }
    }

    private func receiveFrames(from buffer: inout ByteBuffer) throws {
        while !self.session.isClosed, let frame = try self.splitter.nextFrame(from: &buffer) {
            try self.receive(frame)
        }
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
        self.headerFragment = nil
        let pings = self.pingPromises
        self.pingPromises.removeAll()
        for promise in pings.values { promise.fail(error) }
        for child in self.children.values { child.closeWithError(error) }
        self.checkAllStreamsClosed()
    }
}
