import NIOCore

// MARK: ChannelCore

extension YamuxStreamChannel: ChannelCore {
    func localAddress0() throws -> SocketAddress {
        guard let address = self.parent?.localAddress else { throw ChannelError.operationUnsupported }
        return address
    }

    func remoteAddress0() throws -> SocketAddress {
        guard let address = self.parent?.remoteAddress else { throw ChannelError.operationUnsupported }
        return address
    }

    func register0(promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }

    func bind0(to: SocketAddress, promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }

    func connect0(to: SocketAddress, promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }

    func write0(_ data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard self.lifecycle != .closed else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        guard !self.outputClosing else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        let buffer: ByteBuffer
        if let bytes = self.tryUnwrapData(data, as: ByteBuffer.self) {
            buffer = bytes
        } else if case .some(.byteBuffer(let bytes)) = self.tryUnwrapData(data, as: IOData.self) {
            buffer = bytes
        } else {
            promise?.fail(YamuxError(.unsupportedWrite, "a yamux stream writes ByteBuffer only, not \(data)"))
            return
        }
        self.pendingWrites.append((.data(buffer), promise))
        if let isWritable = self.writability.buffered(buffer.readableBytes) {
            self.writabilityChanged(to: isWritable)
        }
    }

    /// Before activation the flush is only marked: `activate` delivers and flushes, so a new
    /// stream's SYN and the initializer's first writes leave in one write, not two.
    func flush0() {
        self.pendingWrites.mark()
        guard self.lifecycle == .active else { return }
        self.deliverPendingWrites()
        self.multiplexer.childFlushed()
    }

    func read0() {
        guard self.lifecycle != .closed, !self.unsatisfiedRead else { return }
        self.unsatisfiedRead = true
        if self.pendingReads.isEmpty && !self.remoteFinPending {
            self.parent?.read()
        } else {
            self.tryToRead()
        }
        // Delivering data may have produced a window update.
        self.multiplexer.childFlushed()
    }

    func close0(error: Error, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard self.lifecycle != .closed else {
            promise?.fail(ChannelError.alreadyClosed)
            return
        }
        switch mode {
        case .input:
            promise?.fail(ChannelError.operationUnsupported)
        case .output:
            guard !self.outputClosing else {
                promise?.fail(ChannelError.outputClosed)
                return
            }
            self.outputClosing = true
            self.pendingWrites.append((.fin, promise))
            self.flush0()
        case .all:
            self.closeAll(promise: promise)
        }
    }

    func triggerUserOutboundEvent0(_ event: Any, promise: EventLoopPromise<Void>?) {
        guard event is YamuxStreamReset else {
            promise?.fail(ChannelError.operationUnsupported)
            return
        }
        // closeNow sends RST for a stream still open on the wire, FIN or not.
        self.closeNow(error: nil, promise: promise)
    }

    func channelRead0(_ data: NIOAny) {
        // Inbound data nobody handled reached the end of the pipeline: dropped, as on sockets.
    }

    func errorCaught0(error: Error) {
        // Errors nobody handled reached the end of the pipeline: nothing to do.
    }
}
