import HyperionWire
import Logging
import NIOCore

/// The yamux session of one connection, as a channel handler whose streams are child
/// channels (`YamuxStreamChannel`), like `NIOSSHHandler` with its `SSHChannelMultiplexer`.
///
/// It sits on top of the connection's pipeline: it reads the decrypted byte stream and
/// writes plaintext frames, flushing once per batch (at the end of a read cycle, or when a
/// stream or an API call flushes), so that the transport below can pack many frames into
/// one encrypted record. The protocol decisions are `YamuxSession`'s; this class only does
/// the I/O they ask for.
///
/// Flushing at the end of a read cycle relies on the handler below forwarding
/// `channelReadComplete` after its `channelRead`s, as every NIO decoder does.
///
/// Every method must be called on the connection's event loop.
public final class YamuxMultiplexer: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = Never
    public typealias OutboundIn = Never
    public typealias OutboundOut = ByteBuffer

    let configuration: YamuxConfiguration
    let eventLoop: EventLoop
    let logger: Logger
    private let inboundStreamInitializer: (@Sendable (Channel) -> EventLoopFuture<Void>)?

    var session: YamuxSession
    var splitter: YamuxFrameSplitter
    /// The start of a frame header that the last read cut off (under 12 bytes).
    var headerFragment: ByteBuffer?
    var context: ChannelHandlerContext?
    var children: [UInt32: YamuxStreamChannel] = [:]
    /// Streams that received data or FIN in this read cycle, to be read at its end.
    var childrenWithPendingReads: [YamuxStreamChannel] = []
    var pingPromises: [UInt32: EventLoopPromise<TimeAmount>] = [:]
    var refusalLog = YamuxRefusalLog()
    /// True during a read cycle: writes are flushed at its end, not one by one.
    var isReading = false
    var flushPending = false
    var hasStarted = false
    private var allStreamsClosedPromise: EventLoopPromise<Void>?
    private var allStreamsHaveClosed = false

    /// - Parameters:
    ///   - channel: the connection's channel, the parent of every stream channel (only its
    ///     event loop is kept: the pipeline holds this handler, not the other way round).
    ///   - inboundStreamInitializer: sets up a stream the peer opened; nil refuses them all
    ///     (the client). The stream leaves the accept backlog when the future completes.
    public init(
        configuration: YamuxConfiguration,
        channel: Channel,
        logger: Logger,
        inboundStreamInitializer: (@Sendable (Channel) -> EventLoopFuture<Void>)?
    ) {
        self.configuration = configuration
        self.eventLoop = channel.eventLoop
        self.logger = logger
        self.inboundStreamInitializer = inboundStreamInitializer
        self.session = YamuxSession(
            configuration: configuration,
            acceptsInboundStreams: inboundStreamInitializer != nil
        )
        // No honest data frame exceeds the largest window we ever grant.
        self.splitter = YamuxFrameSplitter(parser: YamuxFrameParser(
            maximumDataLength: max(configuration.maximumReceiveWindow, configuration.initialWindow)
        ))
    }
}

@available(*, unavailable)
extension YamuxMultiplexer: Sendable {}

// MARK: Public API

extension YamuxMultiplexer {
    /// Opens a stream; `promise` gets its channel once `initializer` completed. Fails if the
    /// connection is not active, the session is going away or closed, or `maximumStreams`
    /// are open. Data written at once is sent right after the SYN; past
    /// `maximumUnacknowledgedOutbound` unacknowledged streams the SYN itself waits for ACKs.
    public func createStream(
        promise: EventLoopPromise<Channel>?,
        _ initializer: @escaping @Sendable (Channel) -> EventLoopFuture<Void>
    ) {
        self.eventLoop.assertInEventLoop()
        guard let context = self.context, context.channel.isActive else {
            promise?.fail(YamuxError(.sessionGoingAway, "cannot open a stream: the connection is not active"))
            return
        }
        let opened: (streamID: UInt32, syn: YamuxHeader?)
        do {
            opened = try self.session.openStream(now: self.eventLoop.now)
        } catch {
            promise?.fail(error)
            return
        }
        if let syn = opened.syn { self.write(syn) }
        let child = self.makeChild(opened.streamID, parent: context.channel)
        child.configure(initializer: initializer, userPromise: promise, isInbound: false)
        self.flushIfNeeded()
    }

    /// Sends a ping; `promise` gets the round-trip time when its ACK arrives. The caller
    /// applies any timeout. Fails at `maximumOutstandingPings` or when the session ended.
    public func ping(promise: EventLoopPromise<TimeAmount>) {
        self.eventLoop.assertInEventLoop()
        guard self.context != nil, let (opaque, frame) = self.session.ping(now: self.eventLoop.now) else {
            let reason =
                self.session.isClosed || self.context == nil
                ? "the session is closed"
                : "\(self.session.pings.outstandingCount) pings are outstanding"
            promise.fail(YamuxError(.limitReached, "cannot send a ping: \(reason)"))
            return
        }
        self.pingPromises[opaque] = promise
        self.write(frame)
        self.flushIfNeeded()
    }

    /// Sends a ping with a chosen opaque value whose answer nobody waits for: a way to tell
    /// the peer something it may ignore (see `YamuxSessionEvent.pingReceived`). Nothing is
    /// sent once the session is closed.
    public func announce(opaque: UInt32) {
        self.eventLoop.assertInEventLoop()
        guard self.context != nil, !self.session.isClosed else { return }
        self.write(YamuxHeader(type: .ping, flags: .syn, streamID: 0, length: opaque))
        self.flushIfNeeded()
    }

    /// Sends go away: no new stream is opened or accepted afterwards; open streams finish.
    /// Streams still waiting for their SYN to leave fail.
    public func goAway(code: YamuxHeader.GoAwayCode) {
        self.eventLoop.assertInEventLoop()
        let (frame, refused) = self.session.goAway(code: code)
        if let frame { self.write(frame) }
        for id in refused {
            let error = YamuxError(.sessionGoingAway, "stream \(id) was not opened: this session sent go away")
            self.children[id]?.closeWithError(error)
        }
        self.flushIfNeeded()
        self.checkAllStreamsClosed()
    }

    /// Streams with a channel, including opens still waiting for their SYN to leave.
    public var openStreamCount: Int {
        self.eventLoop.assertInEventLoop()
        return self.children.count
    }

    /// Smoothed round-trip time from our pings, if one was answered (used by auto-tuning).
    public var smoothedRoundTripTime: TimeAmount? {
        self.eventLoop.assertInEventLoop()
        return self.session.pings.smoothedRoundTripTime
    }

    /// Succeeds once the session is going away (go away sent or received) or ended, and no
    /// stream is open any more: the caller may then close the connection.
    public var allStreamsClosed: EventLoopFuture<Void> {
        self.eventLoop.assertInEventLoop()
        if let promise = self.allStreamsClosedPromise { return promise.futureResult }
        let promise = self.eventLoop.makePromise(of: Void.self)
        self.allStreamsClosedPromise = promise
        self.checkAllStreamsClosed()
        return promise.futureResult
    }

    func checkAllStreamsClosed() {
        guard let promise = self.allStreamsClosedPromise, !self.allStreamsHaveClosed, self.children.isEmpty,
            self.session.isGoingAway || self.session.isClosed
        else { return }
        self.allStreamsHaveClosed = true
        promise.succeed(())
    }

    func makeChild(_ id: UInt32, parent: Channel) -> YamuxStreamChannel {
        let child = YamuxStreamChannel(
            streamID: id,
            parent: parent,
            multiplexer: self,
            waterMark: self.configuration.streamWriteBufferWaterMark
        )
        self.children[id] = child
        return child
    }

    func openInboundStream(_ id: UInt32) {
        guard let context = self.context else { return }
        let child = self.makeChild(id, parent: context.channel)
        child.configure(initializer: self.inboundStreamInitializer, userPromise: nil, isInbound: true)
    }
}
