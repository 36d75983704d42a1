import HyperionMux
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// What other threads may know of a connection's liveness: the pool reads it to choose a
/// connection for a new stream, from any event loop.
///
/// Only the watchdog's own timer marks a connection suspect: it runs on the connection's
/// loop after the reads that were ready, so a loop that fell behind (a busy machine) is
/// not mistaken for a silent peer.
public final class TunnelHealth: Sendable {
    private let suspect = Atomic<Bool>(false)
    /// When the peer was last heard from, in uptime nanoseconds.
    private let lastHeard = Atomic<UInt64>(NIODeadline.now().uptimeNanoseconds)
    private let onRecovery = NIOLockedValueBox<(@Sendable () -> Void)?>(nil)
    /// Bytes, round trip and age, for status.
    public let meter = TunnelMeter()

    init() {}

    public var isSuspect: Bool { suspect.load(ordering: .relaxed) }

    /// Heard from within `window`: a stream opened again after its first connection died
    /// goes only to a connection known to work now, not to one that may share the dead path.
    func heard(within window: TimeAmount, now: NIODeadline = .now()) -> Bool {
        now.uptimeNanoseconds <= lastHeard.load(ordering: .relaxed) &+ UInt64(window.nanoseconds)
    }

    /// Called each time the connection stops being suspect, and when a stream that waited
    /// for it (`streamWaits`) sees it heard from again.
    func whenRecovered(_ body: @escaping @Sendable () -> Void) {
        onRecovery.withLockedValue { $0 = body }
    }

    fileprivate func recordHeard(_ now: NIODeadline) {
        lastHeard.store(now.uptimeNanoseconds, ordering: .relaxed)
    }

    fileprivate func recovered() {
        onRecovery.withLockedValue { $0 }?()
    }

    fileprivate func markSuspect() {
        suspect.store(true, ordering: .relaxed)
    }

    fileprivate func clearSuspect() {
        guard suspect.exchange(false, ordering: .relaxed) else { return }
        recovered()
    }
}

/// Drives `TunnelLiveness` for one tunnel connection, on its event loop: sends the pings it
/// asks for, closes the connection it declares dead, and publishes whether it is suspect.
/// Replaces a plain keepalive on both ends; its pings also feed the multiplexer's
/// round-trip estimate, which window auto-tuning uses.
final class TunnelWatchdog {
    private let channel: Channel
    private let multiplexer: YamuxMultiplexer
    private let logger: Logger
    private var liveness: TunnelLiveness
    let health = TunnelHealth()
    private var timer: Scheduled<Void>?
    private var timerDeadline = NIODeadline.distantFuture
    /// A stream waits for this connection to be heard from (`streamWaits`).
    private var streamWaiting = false

    init(channel: Channel, multiplexer: YamuxMultiplexer, configuration: TunnelLiveness.Configuration, logger: Logger) {
        self.channel = channel
        self.multiplexer = multiplexer
        self.logger = logger
        self.liveness = TunnelLiveness(configuration: configuration, now: .now())
    }

    /// Puts a watchdog on a connection whose multiplexer was just added behind
    /// `transportHandler`, with its recorder between the two, and starts it. A
    /// `PromptAcknowledger` goes there too: what the peer sends is acknowledged at once.
    static func install(
        on pipeline: ChannelPipeline.SynchronousOperations, after transportHandler: ChannelHandler, channel: Channel,
        multiplexer: YamuxMultiplexer, configuration: TunnelLiveness.Configuration, logger: Logger
    ) throws -> TunnelWatchdog {
        let watchdog = TunnelWatchdog(channel: channel, multiplexer: multiplexer, configuration: configuration, logger: logger)
        try pipeline.addHandler(LivenessRecorder(watchdog: watchdog), position: .after(transportHandler))
        try pipeline.addHandler(PromptAcknowledger(), position: .after(transportHandler))
        watchdog.start()
        return watchdog
    }

    /// Sends a first ping at once (an early round-trip sample), then runs. Must be called
    /// on the channel's event loop.
    func start() {
        run()
        channel.closeFuture.assumeIsolated().whenComplete { [weak self] _ in
            self?.timer?.cancel()
            self?.timer = nil
            self?.timerDeadline = .distantFuture
        }
    }

    // MARK: events, on the channel's loop

    /// Bytes came from the peer (`LivenessRecorder`).
    func heard() {
        let now = NIODeadline.now()
        liveness.heard(now: now)
        health.recordHeard(now)
        if health.isSuspect, !liveness.isSuspect(now: now) {
            streamWaiting = false
            health.clearSuspect()
        } else if streamWaiting {
            streamWaiting = false
            health.recovered()
        }
    }

    /// A stream open left; the token goes back with `openAnswered`.
    func openSent() -> UInt64 {
        let token = liveness.openSent(now: .now())
        run()
        return token
    }

    /// A new stream waits because this connection is suspect (see `TunnelLiveness`).
    func streamWaits() {
        streamWaiting = true
        liveness.streamWaits(now: .now())
        run()
    }

    func openAnswered(_ token: UInt64) {
        liveness.openAnswered(token)
        if health.isSuspect, !liveness.isSuspect(now: .now()) { health.clearSuspect() }
    }

    /// Heard from recently enough that a new stream may send early data.
    var isFresh: Bool { liveness.isFresh(now: .now()) }

    // MARK: running

    private func run() {
        let now = NIODeadline.now()
        for action in liveness.tick(now: now) {
            switch action {
            case .sendPing:
                sendPing()
            case let .declareDead(reason):
                logger.notice("closing a tunnel connection: \(reason)")
                channel.close(promise: nil)
            }
        }
        if liveness.isSuspect(now: now) {
            if !health.isSuspect {
                logger.info("tunnel connection suspect: no new streams on it until the server is heard from again (silent for \((now - liveness.lastHeard).nanoseconds / 1_000_000) ms)")
            }
            health.markSuspect()
        } else {
            health.clearSuspect()
        }
        // The next run: when `tick` has work, or when the connection turns suspect.
        let suspectFrom = liveness.suspectFrom
        schedule(at: suspectFrom > now ? min(liveness.nextDeadline, suspectFrom + .nanoseconds(1)) : liveness.nextDeadline)
    }

    private func schedule(at deadline: NIODeadline) {
        guard deadline != timerDeadline, channel.isActive else { return }
        timer?.cancel()
        timerDeadline = deadline
        guard deadline != .distantFuture else {
            timer = nil
            return
        }
        timer = channel.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            self?.timerDeadline = .distantFuture
            self?.run()
        }
    }

    private func sendPing() {
        let promise = channel.eventLoop.makePromise(of: TimeAmount.self)
        multiplexer.ping(promise: promise)
        promise.futureResult.assumeIsolated().whenSuccess { [weak self] rtt in
            guard let self else { return }
            liveness.pingAnswered(now: .now(), roundTripTime: rtt)
            if let smoothed = liveness.smoothedRoundTripTime { health.meter.recordRoundTrip(smoothed) }
            heard()
            run()
        }
    }
}

@available(*, unavailable)
extension TunnelWatchdog: Sendable {}

/// Tells the watchdog whenever bytes arrive from the peer: any byte proves the path works,
/// so a busy connection never looks dead for an answer stuck behind its data. Sits just
/// behind the transport, in front of the multiplexer, and counts the bytes both ways.
final class LivenessRecorder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let watchdog: TunnelWatchdog

    init(watchdog: TunnelWatchdog) {
        self.watchdog = watchdog
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        watchdog.heard()
        watchdog.health.meter.countIn(unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        watchdog.health.meter.countOut(unwrapOutboundIn(data).readableBytes)
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension LivenessRecorder: Sendable {}
