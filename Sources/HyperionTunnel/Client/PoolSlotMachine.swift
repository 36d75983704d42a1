import NIOCore

/// The life of one pool connection as a pure state machine: connect, and when the attempt
/// fails or the connection ends, connect again after a backoff, or soon when local
/// connections wait for a tunnel. Events go in with the time; actions come out. No I/O,
/// no clock, and randomness (the backoff's jitter) from a generator the caller owns.
///
/// A connection found dead (its watchdog closes it) or lost any other way ends the same
/// way, as `sessionEnded`; the replacement knocks again, as every attempt does.
struct PoolSlotMachine {
    enum State: Equatable {
        /// Waiting for `retryAt` (or for a kick).
        case waiting(retryAt: NIODeadline)
        case connecting
        case live
        case stopped
    }

    enum Action: Equatable {
        case connect
        /// Run `retryDue` at this time (replacing any earlier timer).
        case scheduleRetry(at: NIODeadline)
        case cancelRetry
        case closeSession
        case logNotice(String)
        case logInfo(String)
        case logDebug(String)
    }

    /// While local connections wait for a tunnel, attempts follow each other this closely
    /// instead of backing off, but no closer, so a burst of waiting local connections does
    /// not turn into a connect storm.
    static let minimumKickInterval = TimeAmount.milliseconds(250)

    private(set) var state = State.waiting(retryAt: .distantFuture)
    private var backoff = ReconnectBackoff()
    private var lastAttempt = NIODeadline.distantPast
    /// The last failure reported, so a failure that repeats is logged once; nil while live.
    private var lastReported: String?

    init() {}

    mutating func start(now: NIODeadline) -> [Action] {
        guard case .waiting = state else { return [] }
        return connect(now: now)
    }

    mutating func stop() -> [Action] {
        let wasLive = state == .live
        state = .stopped
        return wasLive ? [.cancelRetry, .closeSession] : [.cancelRetry]
    }

    /// Something waits for a tunnel: retry now, or as soon as the minimum interval since the
    /// last attempt allows, instead of at the end of the backoff.
    mutating func kick(now: NIODeadline) -> [Action] {
        guard case let .waiting(retryAt) = state else { return [] }
        let earliest = lastAttempt + Self.minimumKickInterval
        if earliest <= now { return connect(now: now) }
        guard earliest < retryAt else { return [] }
        state = .waiting(retryAt: earliest)
        return [.scheduleRetry(at: earliest)]
    }

    mutating func retryDue(now: NIODeadline) -> [Action] {
        guard case .waiting = state else { return [] }
        return connect(now: now)
    }

    /// Returns the log line for the new connection; the caller adds its timings.
    mutating func connectSucceeded() -> [Action] {
        guard state == .connecting else { return state == .stopped ? [.closeSession] : [] }
        state = .live
        backoff.reset()
        defer { lastReported = nil }
        return [lastReported != nil ? .logNotice("tunnel up again") : .logInfo("tunnel up")]
    }

    mutating func connectFailed<R: RandomNumberGenerator>(
        _ message: String, now: NIODeadline, waitersPresent: Bool, using generator: inout R
    ) -> [Action] {
        guard state == .connecting else { return [] }
        // One line per change of error, not one per retry.
        let line: Action = message != lastReported
            ? .logNotice("tunnel connect failed: \(message); retrying with backoff")
            : .logDebug("tunnel connect failed again: \(message)")
        lastReported = message
        return [line] + retry(now: now, waitersPresent: waitersPresent, using: &generator)
    }

    mutating func sessionEnded<R: RandomNumberGenerator>(now: NIODeadline, waitersPresent: Bool, using generator: inout R) -> [Action] {
        guard state == .live else { return [] }
        lastReported = "closed"
        return [.logNotice("tunnel connection closed; reconnecting")] + retry(now: now, waitersPresent: waitersPresent, using: &generator)
    }

    private mutating func connect(now: NIODeadline) -> [Action] {
        state = .connecting
        lastAttempt = now
        return [.cancelRetry, .connect]
    }

    private mutating func retry<R: RandomNumberGenerator>(now: NIODeadline, waitersPresent: Bool, using generator: inout R) -> [Action] {
        state = .waiting(retryAt: .distantFuture)
        if waitersPresent { return kick(now: now) }
        let at = now + backoff.nextDelay(using: &generator)
        state = .waiting(retryAt: at)
        return [.scheduleRetry(at: at)]
    }
}
