import NIOCore

/// Counts tunnel connections closed before they became an admin's, by reason, and turns the
/// counts into at most one log line per interval.
///
/// A line per refused connection lets anyone who can open TCP connections fill the disk
/// (issue 20 measured 24,463 lines in 5 s). A fixed array of counters costs the same for a
/// thousand connections or a million. Pure: the caller passes the monotonic time.
struct RefusalTally {
    let interval: TimeAmount
    private var pending = [Int](repeating: 0, count: ConnectionRefusal.allCases.count)
    private var nextSummaryAt: NIODeadline

    init(interval: TimeAmount, now: NIODeadline) {
        precondition(interval > .zero)
        self.interval = interval
        nextSummaryAt = now + interval
    }

    mutating func record(_ reason: ConnectionRefusal) {
        pending[reason.rawValue] &+= 1
    }

    /// The summary when an interval has passed and something was counted in it; then a new
    /// interval starts. Nil otherwise: a quiet server logs nothing.
    mutating func summaryIfDue(now: NIODeadline) -> String? {
        guard now >= nextSummaryAt else { return nil }
        // Whole intervals from the first: a timer that fires a little late does not push
        // every later summary back.
        while nextSummaryAt <= now { nextSummaryAt = nextSummaryAt + interval }
        return takeSummary()
    }

    /// What was counted since the last summary, due or not (for shutdown); nil if nothing.
    mutating func takeSummary() -> String? {
        let total = pending.reduce(0, &+)
        guard total > 0 else { return nil }
        let parts = ConnectionRefusal.allCases.compactMap { reason in
            pending[reason.rawValue] > 0 ? "\(pending[reason.rawValue]) \(reason)" : nil
        }
        pending = [Int](repeating: 0, count: pending.count)
        let seconds = interval.nanoseconds / 1_000_000_000
        let span = interval.nanoseconds % 1_000_000_000 == 0 ? "\(seconds) s" : "\(interval.nanoseconds / 1_000_000) ms"
        return "refused \(total) connection\(total == 1 ? "" : "s") in the last \(span): " + parts.joined(separator: ", ")
    }
}
