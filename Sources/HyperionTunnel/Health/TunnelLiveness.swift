import NIOCore

/// Whether one tunnel connection still reaches its peer, as a pure state machine: calls go
/// in with the time, actions come out. No I/O and no clock of its own.
///
/// Three ways to find a dead path, from the slowest to the fastest:
///
/// - Periodic pings: one every `pingInterval`; nothing heard for `pingTimeout` while a ping
///   is outstanding means dead. This is what finds an idle path gone.
/// - An overdue ping makes the connection *suspect*: it still carries its streams, but new
///   ones go elsewhere while another connection is fine.
/// - A stream open that stays unanswered: after `probeDelay` (at least a second, a few
///   round trips on a slow path) it sends a ping at once, and if nothing at all has been
///   heard `unansweredOpenLimit` after the open, the connection is dead. A blackholed path
///   is then found in seconds, not at the ping timeout.
///
/// "Heard" is any byte from the peer: a ping's answer, data, a window update.
struct TunnelLiveness: Sendable {
    struct Configuration: Sendable {
        var pingInterval: TimeAmount
        var pingTimeout: TimeAmount
        /// The least time an open or a ping may go unanswered before it looks wrong.
        var patienceFloor: TimeAmount = .seconds(1)
        /// Round trips an open or a ping may take before it looks wrong.
        var patienceRoundTrips: Int64 = 4
        /// After an unanswered open, how long until the connection is declared dead when
        /// nothing at all is heard.
        var unansweredOpenLimit: TimeAmount = .seconds(3)
        /// Early data leaves only on a connection heard from within this long (or a few
        /// round trips): bytes sent on a path that turns out dead are lost with it, while a
        /// stream that waited for its answer can be opened again elsewhere.
        var freshnessFloor: TimeAmount = .milliseconds(250)

        init(pingInterval: TimeAmount, pingTimeout: TimeAmount) {
            self.pingInterval = pingInterval
            self.pingTimeout = pingTimeout
        }
    }

    enum Action: Equatable, Sendable {
        case sendPing
        case declareDead(String)
    }

    let configuration: Configuration
    private(set) var lastHeard: NIODeadline
    private(set) var smoothedRoundTripTime: TimeAmount?
    /// When each unanswered ping left, oldest first (a bounded number: the multiplexer
    /// refuses pings past its own limit).
    private var pingsSentAt: [NIODeadline] = []
    private static let trackedPings = 16
    private var nextPeriodicPing: NIODeadline
    /// Stream opens waiting for their answer, by token, with the time each left.
    private var unansweredOpens: [UInt64: NIODeadline] = [:]
    private var nextOpenToken: UInt64 = 0
    /// Since when a stream waits for this connection to recover (it was suspect when the
    /// stream came). Such a wait is treated like an unanswered open of its own.
    private var waiterSince: NIODeadline?
    private(set) var isDead = false

    init(configuration: Configuration, now: NIODeadline) {
        self.configuration = configuration
        self.lastHeard = now
        self.nextPeriodicPing = now
    }

    /// How long an open or a ping may take before it looks wrong.
    var patience: TimeAmount {
        let floor = configuration.patienceFloor
        guard let rtt = smoothedRoundTripTime else { return floor }
        return max(floor, .nanoseconds(rtt.nanoseconds * configuration.patienceRoundTrips))
    }

    // MARK: events

    /// Bytes came from the peer.
    mutating func heard(now: NIODeadline) {
        if now > lastHeard { lastHeard = now }
        waiterSince = nil
    }

    /// A new stream waits because this connection is suspect: probe it as if the stream
    /// had been opened on it, so that a dead path is found within the same few seconds.
    mutating func streamWaits(now: NIODeadline) {
        if waiterSince == nil { waiterSince = now }
    }

    mutating func pingSent(now: NIODeadline) {
        if pingsSentAt.count == Self.trackedPings { pingsSentAt.removeFirst() }
        pingsSentAt.append(now)
        nextPeriodicPing = now + configuration.pingInterval
    }

    /// A ping came back. Every ping sent before it is answered too: the peer answers in
    /// order, and what matters is that the path works.
    mutating func pingAnswered(now: NIODeadline, roundTripTime: TimeAmount) {
        heard(now: now)
        if let smoothed = smoothedRoundTripTime {
            smoothedRoundTripTime = .nanoseconds((smoothed.nanoseconds * 7 + roundTripTime.nanoseconds) / 8)
        } else {
            smoothedRoundTripTime = roundTripTime
        }
        pingsSentAt.removeAll()
    }

    /// A stream open left; returns the token that `openAnswered` takes.
    mutating func openSent(now: NIODeadline) -> UInt64 {
        nextOpenToken += 1
        unansweredOpens[nextOpenToken] = now
        return nextOpenToken
    }

    /// The open got its answer, or ended for another reason: it no longer waits.
    mutating func openAnswered(_ token: UInt64) {
        unansweredOpens.removeValue(forKey: token)
    }

    // MARK: what the pool asks

    /// From when on the connection is suspect unless something is heard or answered first:
    /// a ping overdue, or an open waiting past its patience with nothing heard since it
    /// left. New streams then go elsewhere.
    var suspectFrom: NIODeadline {
        if isDead { return .distantPast }
        var from = NIODeadline.distantFuture
        if let sent = oldestSilentPing { from = min(from, sent + patience) }
        if let open = oldestSilentOpen { from = min(from, open + patience) }
        return from
    }

    func isSuspect(now: NIODeadline) -> Bool { now > suspectFrom }

    /// Heard from within `max(freshnessFloor, a few round trips)`, and not suspect: early
    /// data may leave.
    func isFresh(now: NIODeadline) -> Bool {
        var window = configuration.freshnessFloor
        if let rtt = smoothedRoundTripTime { window = max(window, .nanoseconds(rtt.nanoseconds * configuration.patienceRoundTrips)) }
        return now - lastHeard <= window && !isSuspect(now: now)
    }

    /// The oldest open that left after the last thing heard. A busy connection is heard
    /// all the time, so an answer stuck behind its data does not make it look dead.
    private var oldestSilentOpen: NIODeadline? {
        let opens = unansweredOpens.values.lazy.filter { $0 >= lastHeard }.min()
        guard let waiterSince else { return opens }
        return min(opens ?? waiterSince, waiterSince)
    }

    /// The oldest unanswered ping that left after the last thing heard.
    private var oldestSilentPing: NIODeadline? {
        pingsSentAt.first { $0 >= lastHeard }
    }

    /// Whether something waits for an answer, so that hearing from the peer may change
    /// `suspectFrom`.
    var awaitsAnswers: Bool { !pingsSentAt.isEmpty || !unansweredOpens.isEmpty || waiterSince != nil }

    // MARK: time

    /// What to do now. Call at `nextDeadline`, and after any event.
    mutating func tick(now: NIODeadline) -> [Action] {
        guard !isDead else { return [] }
        if oldestSilentPing != nil, now - lastHeard >= configuration.pingTimeout {
            return die("no answer to pings for \(configuration.pingTimeout.nanoseconds / 1_000_000_000) s")
        }
        if let open = oldestSilentOpen {
            if now - open >= configuration.unansweredOpenLimit {
                let limit = configuration.unansweredOpenLimit.nanoseconds / 1_000_000
                return die("a stream open went unanswered for \(limit) ms and nothing was heard from the server since")
            }
            // One probe per silent open: a ping sent after the open left is its probe.
            if now - open >= patience, (pingsSentAt.last ?? .distantPast) < open {
                pingSent(now: now)
                return [.sendPing]
            }
        }
        if now >= nextPeriodicPing {
            pingSent(now: now)
            return [.sendPing]
        }
        return []
    }

    /// When `tick` next has something to do.
    var nextDeadline: NIODeadline {
        guard !isDead else { return .distantFuture }
        var deadline = nextPeriodicPing
        if oldestSilentPing != nil { deadline = min(deadline, lastHeard + configuration.pingTimeout) }
        if let open = oldestSilentOpen {
            deadline = min(deadline, open + configuration.unansweredOpenLimit)
            if (pingsSentAt.last ?? .distantPast) < open { deadline = min(deadline, open + patience) }
        }
        return deadline
    }

    private mutating func die(_ reason: String) -> [Action] {
        isDead = true
        return [.declareDead(reason)]
    }
}
