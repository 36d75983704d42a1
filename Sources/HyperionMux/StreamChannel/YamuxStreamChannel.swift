import NIOConcurrencyHelpers
import NIOCore

/// One yamux stream as a NIO `Channel` of `ByteBuffer`s, like `SSHChildChannel` and
/// `HTTP2StreamChannel`: its own pipeline, the connection as `parent`, the same event loop.
///
/// Inbound data waits here until a `read()` (explicit or by `autoRead`) hands it to the
/// pipeline, and only then is window credit returned: a stream nobody reads stops the peer.
/// Outbound data waits here for flushes and send window, and counts against the watermarks.
/// `close(mode: .output)` sends FIN after the pending writes; `close(mode: .all)` ends the
/// stream with FIN if the peer already finished and nothing is pending, else with RST.
///
/// `@unchecked Sendable`: all mutable state is used on `eventLoop` only, except `flags`,
/// which has a lock because `isActive` and `isWritable` may be read from any thread.
final class YamuxStreamChannel: @unchecked Sendable {
    enum Lifecycle {
        /// The initializer runs; reads and writes wait.
        case initializing
        case active
        case closed
    }

    enum PendingWrite {
        case data(ByteBuffer)
        case fin
    }

    struct Flags {
        var isActive = false
        var isWritable = true
    }

    let streamID: UInt32
    let multiplexer: YamuxMultiplexer
    let parent: Channel?
    let eventLoop: EventLoop
    let allocator: ByteBufferAllocator
    private var _pipeline: ChannelPipeline!
    let closePromise: EventLoopPromise<Void>
    let flags = NIOLockedValueBox(Flags())

    var lifecycle = Lifecycle.initializing
    var autoRead = true
    var allowRemoteHalfClosure = false
    /// A `read()` is waiting for data.
    var unsatisfiedRead = false
    var pendingReads = CircularBuffer<ByteBuffer>(initialCapacity: 4)
    /// The peer's FIN arrived and is delivered after `pendingReads`.
    var remoteFinPending = false
    /// The peer's FIN was delivered.
    var inputClosed = false
    var pendingWrites = MarkedCircularBuffer<(PendingWrite, EventLoopPromise<Void>?)>(initialCapacity: 8)
    /// `close(mode: .output)` was called: the FIN is queued, writes are refused.
    var outputClosing = false
    /// Our FIN was sent.
    var outputClosed = false
    var writability: YamuxStreamWritability
    /// The user's promise of `createStream`, succeeded on activation.
    var userPromise: EventLoopPromise<Channel>?
    /// Registered with the multiplexer for the end of the current read cycle.
    var hasPendingReadComplete = false
    /// Since when data has waited for the peer's window, if it does (debug log only).
    var windowWaitStarted: NIODeadline?

    init(
        streamID: UInt32,
        parent: Channel,
        multiplexer: YamuxMultiplexer,
        waterMark: ChannelOptions.Types.WriteBufferWaterMark
    ) {
        self.streamID = streamID
        self.parent = parent
        self.multiplexer = multiplexer
        self.eventLoop = parent.eventLoop
        self.allocator = parent.allocator
        self.closePromise = parent.eventLoop.makePromise()
        self.writability = YamuxStreamWritability(waterMark: waterMark, parentIsWritable: parent.isWritable)
        self._pipeline = ChannelPipeline(channel: self)
    }
}

// MARK: Channel

extension YamuxStreamChannel: Channel {
    var closeFuture: EventLoopFuture<Void> { self.closePromise.futureResult }
    var pipeline: ChannelPipeline { self._pipeline }
    var localAddress: SocketAddress? { self.parent?.localAddress }
    var remoteAddress: SocketAddress? { self.parent?.remoteAddress }
    var isWritable: Bool { self.flags.withLockedValue { $0.isWritable } }
    var isActive: Bool { self.flags.withLockedValue { $0.isActive } }
    var _channelCore: ChannelCore { self }
    var syncOptions: NIOSynchronousChannelOptions? { SynchronousOptions(channel: self) }

    func setOption<Option: ChannelOption>(_ option: Option, value: Option.Value) -> EventLoopFuture<Void> {
        if self.eventLoop.inEventLoop {
            do {
                return self.eventLoop.makeSucceededFuture(try self.setOption0(option, value: value))
            } catch {
                return self.eventLoop.makeFailedFuture(error)
            }
        }
        return self.eventLoop.submit { try self.setOption0(option, value: value) }
    }

    func getOption<Option: ChannelOption>(_ option: Option) -> EventLoopFuture<Option.Value> {
        if self.eventLoop.inEventLoop {
            do {
                return self.eventLoop.makeSucceededFuture(try self.getOption0(option))
            } catch {
                return self.eventLoop.makeFailedFuture(error)
            }
        }
        return self.eventLoop.submit { try self.getOption0(option) }
    }
}

// MARK: Options

extension YamuxStreamChannel {
    struct SynchronousOptions: NIOSynchronousChannelOptions {
        let channel: YamuxStreamChannel

        func setOption<Option: ChannelOption>(_ option: Option, value: Option.Value) throws {
            try self.channel.setOption0(option, value: value)
        }

        func getOption<Option: ChannelOption>(_ option: Option) throws -> Option.Value {
            try self.channel.getOption0(option)
        }
    }

    func setOption0<Option: ChannelOption>(_ option: Option, value: Option.Value) throws {
        self.eventLoop.preconditionInEventLoop()
        switch option {
        case _ as ChannelOptions.Types.AutoReadOption:
            let wasOn = self.autoRead
            self.autoRead = value as! Bool
            if self.autoRead, !wasOn, self.lifecycle == .active { self.pipeline.read() }
        case _ as ChannelOptions.Types.AllowRemoteHalfClosureOption:
            self.allowRemoteHalfClosure = value as! Bool
        case _ as ChannelOptions.Types.WriteBufferWaterMarkOption:
            let waterMark = value as! ChannelOptions.Types.WriteBufferWaterMark
            if let isWritable = self.writability.setWaterMark(waterMark) { self.writabilityChanged(to: isWritable) }
        default:
            throw ChannelError.operationUnsupported
        }
    }

    func getOption0<Option: ChannelOption>(_ option: Option) throws -> Option.Value {
        self.eventLoop.preconditionInEventLoop()
        switch option {
        case _ as YamuxChannelOptions.Types.StreamIDOption:
            return self.streamID as! Option.Value
        case _ as ChannelOptions.Types.AutoReadOption:
            return self.autoRead as! Option.Value
        case _ as ChannelOptions.Types.AllowRemoteHalfClosureOption:
            return self.allowRemoteHalfClosure as! Option.Value
        case _ as ChannelOptions.Types.WriteBufferWaterMarkOption:
            let waterMark = ChannelOptions.Types.WriteBufferWaterMark(low: self.writability.low, high: self.writability.high)
            return waterMark as! Option.Value
        default:
            throw ChannelError.operationUnsupported
        }
    }

    /// Tells the pipeline about a writability change, which is kept quiet until activation
    /// (the flag is then set before `channelActive`).
    func writabilityChanged(to isWritable: Bool) {
        guard self.lifecycle == .active else { return }
        self.flags.withLockedValue { $0.isWritable = isWritable }
        self.pipeline.fireChannelWritabilityChanged()
    }
}
