import NIOCore

/// The life of one pool connection as a pure state machine: connect, and when the attempt
/// fails or the connection ends, connect again after a backoff, or soon when local
/// connections wait for a tunnel. Events go in with the time; actions come out. No I/O,
/// no clock, and randomness (the backoff's jitter) from a generator the caller owns.
///
/// A connection found dead (its watchdog closes it) or lost any other way ends the same
/// way, as `sessionEnded`; the replacement knocks again, as every attempt does.
///
/// A live connection that is suspect while a stream waits and every other connection of
/// the pool is suspect too gets a replacement made beside it: after a silent outage the
/// suspect one is heard again only when TCP retransmits into the returned path (its
/// backoff grows to seconds) or is declared dead seconds later, while a fresh connection
/// works as soon as the path does. The suspect one keeps its streams until the
/// replacement is up, and stays if it answers first. One replacement attempt at a time,
/// and after a failed one the next waits for the slot's backoff.
struct PoolSlotMachine {
    enum State: Equatable {
        /// Waiting for `retryAt` (or for a kick).
        case waiting(retryAt: NIODeadline)
        case connecting
        /// A connection is up (and perhaps a replacement for it connecting: `replacing`).
        case live
        case stopped
    }

    enum Action: Equatable {
        case connect
        /// Run `retryDue` at this time (replacing any earlier timer).
        case scheduleRetry(at: NIODeadline)
        case cancelRetry
        /// Close the slot's current connection.
        case closeSession
        /// The connection that just came up becomes the slot's connection.
        case adoptNewSession
        /// The connection that just came up is not wanted: close it.
        case closeNewSession
        case logNotice(String)
        case logInfo(String)
        case logDebug(String)
    }

    /// While local connections wait for a tunnel, attempts follow each other this closely
    /// instead of backing off, but no closer, so a burst of waiting local connections does
    /// not turn into a connect storm.
    static let minimumKickInterval = TimeAmount.milliseconds(250)

    private(set) var state = State.waiting(retryAt: .distantFuture)
    /// A replacement for the live connection is connecting (only while `.live`).
    private(set) var replacing = false
    /// No replacement attempt before this (the backoff after a failed one).
    private var nextReplacement = NIODeadline.distantPast
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
        replacing = false
        return wasLive ? [.cancelRetry, .closeSession] : [.cancelRetry]
    }

    /// Something waits for a tunnel: retry now, or as soon as the minimum interval since the
    /// last attempt allows, instead of at the end of the backoff. `liveSessionSuspect`: the
    /// slot's live connection is suspect, and so is every other connection of the pool;
    /// then a replacement is made beside it.
    mutating func kick(now: NIODeadline, liveSessionSuspect: Bool = false) -> [Action] {
        if state == .live {
            guard liveSessionSuspect, !replacing, now >= nextReplacement else { return [] }
            replacing = true
            lastAttempt = now
            return [.logNotice("a stream waits and every tunnel connection is suspect: connecting a replacement beside this one"), .connect]
        }
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

    /// An attempt came up. `liveSessionSuspect`: for a replacement, whether the connection
    /// it replaces is still suspect (it goes) or was heard from meanwhile (it stays, and the
    /// new one goes). Returns the log line for a new connection; the caller adds its timings.
    mutating func connectSucceeded(liveSessionSuspect: Bool = false) -> [Action] {
        switch state {
        case .connecting:
            state = .live
            backoff.reset()
            defer { lastReported = nil }
            return [.adoptNewSession, lastReported != nil ? .logNotice("tunnel up again") : .logInfo("tunnel up")]
        case .live where replacing:
            replacing = false
            backoff.reset()
            nextReplacement = .distantPast
            guard liveSessionSuspect else {
                return [.closeNewSession, .logNotice("the suspect tunnel connection answered before its replacement was up; keeping it")]
            }
            return [.closeSession, .adoptNewSession, .logNotice("replaced a suspect tunnel connection")]
        default:
            return [.closeNewSession]
        }
    }

    mutating func connectFailed<R: RandomNumberGenerator>(
        _ message: String, now: NIODeadline, waitersPresent: Bool, using generator: inout R
    ) -> [Action] {
        if state == .live, replacing {
            replacing = false
            nextReplacement = now + backoff.nextDelay(using: &generator)
            return [.logNotice("a replacement for a suspect tunnel connection failed: \(message); trying again after a backoff")]
        }
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
        if replacing {
            // The attempt under way becomes the slot's connect.
            replacing = false
            state = .connecting
            return [.logNotice("tunnel connection closed; its replacement is already connecting")]
        }
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
