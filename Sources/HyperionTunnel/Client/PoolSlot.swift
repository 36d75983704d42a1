import Logging
import NIOCore

/// One connection of a server's pool, pinned to one event loop: the I/O around
/// `PoolSlotMachine`, which decides when to connect.
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
    private var machine = PoolSlotMachine()
    private var random = SystemRandomNumberGenerator()
    private var retry: Scheduled<Void>?
    private var session: TunnelSession?

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
        loop.execute { self.apply(self.machine.start(now: .now())) }
    }

    /// Something is waiting for a tunnel: retry soon rather than at the end of the backoff.
    /// `everyConnectionSuspect`: no connection of the pool is healthy, so this slot's, if it
    /// is suspect, gets a replacement made beside it (`PoolSlotMachine`).
    func kick(everyConnectionSuspect: Bool = false) {
        loop.execute {
            let suspect = everyConnectionSuspect && self.session.map(Self.isSuspect) == true
            self.apply(self.machine.kick(now: .now(), liveSessionSuspect: suspect))
        }
    }

    func stop() {
        loop.execute { self.apply(self.machine.stop()) }
    }

    private var waitersPresent: Bool { pool?.hasWaiters == true }

    /// `newSession`: the connection that just came up, for the actions about it.
    private func apply(_ actions: [PoolSlotMachine.Action], newSession: TunnelSession? = nil) {
        for action in actions {
            switch action {
            case .connect:
                connect()
            case let .scheduleRetry(deadline):
                retry?.cancel()
                retry = loop.scheduleTask(deadline: deadline) {
                    self.retry = nil
                    self.apply(self.machine.retryDue(now: .now()))
                }
            case .cancelRetry:
                retry?.cancel()
                retry = nil
            case .closeSession:
                session?.close()
            case .adoptNewSession:
                if let newSession { adopt(newSession) }
            case .closeNewSession:
                newSession?.close()
            case let .logNotice(message):
                logger.notice("\(message)")
            case let .logInfo(message):
                logger.info("\(message)", metadata: session.map(Self.timings))
            case let .logDebug(message):
                logger.debug("\(message)")
            }
        }
    }

    private func connect() {
        TunnelConnector.connect(to: endpoint, settings: settings, on: loop, logger: logger)
            .hop(to: loop)
            .whenComplete { result in
                switch result {
                case let .success(session):
                    // For a replacement: whether the connection it replaces still needs it.
                    let suspect = self.session.map(Self.isSuspect) ?? false
                    self.apply(self.machine.connectSucceeded(liveSessionSuspect: suspect), newSession: session)
                case let .failure(error):
                    let message = "\(error)"
                    self.pool?.recordFailure(message)
                    self.apply(self.machine.connectFailed(message, now: .now(), waitersPresent: self.waitersPresent, using: &self.random))
                }
            }
    }

    private func adopt(_ session: TunnelSession) {
        self.session = session
        pool?.sessionBecameLive(session)
        session.channel.closeFuture.hop(to: loop).whenComplete { _ in
            self.pool?.sessionEnded(session)
            // A connection closed because its replacement is up ended nothing of the slot's.
            guard self.session === session else { return }
            self.session = nil
            self.apply(self.machine.sessionEnded(now: .now(), waitersPresent: self.waitersPresent, using: &self.random))
        }
    }

    /// Suspect, or already closed (a reset) and not yet reported as ended.
    private static func isSuspect(_ session: TunnelSession) -> Bool {
        session.health.isSuspect || !session.isActive
    }

    private static func timings(_ session: TunnelSession) -> Logger.Metadata {
        ["connect_ms": "\(format(session.connectDuration))", "handshake_ms": "\(format(session.handshakeDuration))"]
    }

    static func format(_ amount: TimeAmount) -> String {
        let microseconds = max(0, amount.nanoseconds / 1000)
        let fraction = String(microseconds % 1000)
        return "\(microseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
