import HyperionMux
import Logging
import NIOCore

/// Pings the peer over yamux at a fixed interval and closes the connection when an answer
/// is overdue, so a dead path is noticed within `timeout` even when TCP has not noticed.
/// Its pings also feed the multiplexer's round-trip estimate, which window auto-tuning uses.
final class SessionKeepalive {
    private let channel: Channel
    private let multiplexer: YamuxMultiplexer
    private let interval: TimeAmount
    private let timeout: TimeAmount
    private let logger: Logger
    private var lastAnswer: NIODeadline
    private var task: RepeatedTask?

    init(channel: Channel, multiplexer: YamuxMultiplexer, interval: TimeAmount, timeout: TimeAmount, logger: Logger) {
        self.channel = channel
        self.multiplexer = multiplexer
        self.interval = interval
        self.timeout = timeout
        self.logger = logger
        self.lastAnswer = .now()
    }

    /// Sends a first ping at once (for an early round-trip sample), then one per interval.
    /// Must be called on the channel's event loop.
    func start() {
        lastAnswer = .now()
        sendPing()
        let bound = NIOLoopBound(self, eventLoop: channel.eventLoop)
        task = channel.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            bound.value.tick()
        }
        channel.closeFuture.assumeIsolated().whenComplete { [weak self] _ in
            self?.task?.cancel()
            self?.task = nil
        }
    }

    private func tick() {
        if NIODeadline.now() - lastAnswer > timeout {
            logger.notice("closing a tunnel connection: no answer to pings for \(timeout.milliseconds / 1000) s")
            task?.cancel()
            channel.close(promise: nil)
            return
        }
        sendPing()
    }

    private func sendPing() {
        let promise = channel.eventLoop.makePromise(of: TimeAmount.self)
        multiplexer.ping(promise: promise)
        promise.futureResult.assumeIsolated().whenSuccess { [weak self] _ in
            self?.lastAnswer = .now()
        }
    }
}

@available(*, unavailable)
extension SessionKeepalive: Sendable {}
