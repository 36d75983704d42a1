import Logging
import NIOCore

/// One connection of a server's pool, pinned to one event loop, kept alive by a supervisor:
/// connect, and when the connection fails or ends, reconnect after a backoff.
///
/// Its mutable state is touched only on `loop` (every entry point hops there first),
/// which is what makes the `@unchecked Sendable` sound.
final class PoolSlot: @unchecked Sendable {
    let index: Int
    let loop: EventLoop
    private let endpoint: TunnelEndpoint
    private let settings: TunnelClientSettings
    private let logger: Logger
    private weak var pool: ServerPool?

    // Confined to `loop`:
    private var backoff = ReconnectBackoff()
    private var retry: Scheduled<Void>?
    private var retryDeadline = NIODeadline.distantFuture
    private var connecting = false
    private var session: TunnelSession?
    private var stopped = false
    private var lastAttempt = NIODeadline.distantPast
    private var lastReported: String?

    /// While local connections wait for a tunnel, attempts follow each other this closely
    /// instead of backing off, but no closer, so a burst of waiting local connections does
    /// not turn into a connect storm.
    static let minimumKickInterval = TimeAmount.milliseconds(250)

    init(index: Int, loop: EventLoop, endpoint: TunnelEndpoint, settings: TunnelClientSettings, pool: ServerPool, logger: Logger) {
        self.index = index
        self.loop = loop
        self.endpoint = endpoint
        self.settings = settings
        self.pool = pool
        var logger = logger
        logger[metadataKey: "server"] = "\(endpoint.name)"
        logger[metadataKey: "slot"] = "\(index)"
        self.logger = logger
    }

    func start() {
        loop.execute { self.connect() }
    }

    /// Something is waiting for a tunnel: retry now, or as soon as the minimum interval
    /// since the last attempt allows, instead of at the end of the backoff.
    func kick() {
        loop.execute {
            guard !self.stopped, self.session == nil, !self.connecting else { return }
            self.retrySoon()
        }
    }

    func stop() {
        loop.execute {
            self.stopped = true
            self.cancelRetry()
            self.session?.close()
        }
    }

    private func connect() {
        guard !stopped, !connecting, session == nil else { return }
        connecting = true
        lastAttempt = .now()
        TunnelConnector.connect(to: endpoint, settings: settings, on: loop, logger: logger)
            .hop(to: loop)
            .whenComplete { result in
                self.connecting = false
                switch result {
                case let .success(session):
                    self.becameLive(session)
                case let .failure(error):
                    self.failed(error)
                }
            }
    }

    private func becameLive(_ session: TunnelSession) {
        guard !stopped else {
            session.close()
            return
        }
        self.session = session
        backoff.reset()
        if lastReported != nil {
            logger.notice("tunnel up again")
        } else {
            logger.info("tunnel up", metadata: [
                "connect_ms": "\(Self.format(session.connectDuration))", "handshake_ms": "\(Self.format(session.handshakeDuration))",
            ])
        }
        lastReported = nil
        pool?.sessionBecameLive(session)
        session.channel.closeFuture.hop(to: loop).whenComplete { _ in
            self.session = nil
            self.pool?.sessionEnded(session)
            guard !self.stopped else { return }
            self.logger.notice("tunnel connection closed; reconnecting")
            self.lastReported = "closed"
            self.scheduleRetry()
        }
    }

    private func failed(_ error: Error) {
        let message = "\(error)"
        pool?.recordFailure(message)
        // One line per change of error, not one per retry.
        if message != lastReported {
            logger.notice("tunnel connect failed: \(message); retrying with backoff")
            lastReported = message
        } else {
            logger.debug("tunnel connect failed again: \(message)")
        }
        scheduleRetry()
    }

    private func scheduleRetry() {
        guard !stopped else { return }
        if pool?.hasWaiters == true {
            retrySoon()
        } else {
            schedule(at: .now() + backoff.nextDelay())
        }
    }

    private func retrySoon() {
        let earliest = lastAttempt + Self.minimumKickInterval
        if earliest <= .now() {
            cancelRetry()
            connect()
        } else if earliest < retryDeadline {
            schedule(at: earliest)
        }
    }

    private func schedule(at deadline: NIODeadline) {
        cancelRetry()
        retryDeadline = deadline
        retry = loop.scheduleTask(deadline: deadline) {
            self.retry = nil
            self.retryDeadline = .distantFuture
            self.connect()
        }
    }

    private func cancelRetry() {
        retry?.cancel()
        retry = nil
        retryDeadline = .distantFuture
    }

    static func format(_ amount: TimeAmount) -> String {
        let microseconds = max(0, amount.nanoseconds / 1000)
        let fraction = String(microseconds % 1000)
        return "\(microseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
