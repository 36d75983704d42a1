/// A reason a `RefusalTally` counts by.
public protocol TalliedReason: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// This reason's position in `allCases`, so that counting is an array index.
    var tallyIndex: Int { get }
}

/// Counts refused inputs (knock datagrams, tunnel connections) by reason and turns the
/// counts into at most one log line per interval.
///
/// A line per refusal would let anyone who can send a packet fill the disk; a fixed array
/// of counters and one line per interval cost the same for a thousand refusals or a
/// million. Pure: the caller passes the monotonic time in nanoseconds.
public struct RefusalTally<Reason: TalliedReason>: Sendable {
    public let intervalNanoseconds: UInt64
    /// What is refused, in the singular ("datagram").
    public let noun: String
    /// Counts since the last summary.
    private var pending: [UInt64]
    /// Counts since the start, for statistics.
    private var totals: [UInt64]
    private var nextSummaryAt: UInt64

    public init(counting noun: String, intervalNanoseconds: UInt64, now: UInt64) {
        precondition(intervalNanoseconds > 0)
        self.noun = noun
        self.intervalNanoseconds = intervalNanoseconds
        pending = Array(repeating: 0, count: Reason.allCases.count)
        totals = pending
        nextSummaryAt = now &+ intervalNanoseconds
    }

    /// The interval as the summary says it: "10 s", "500 ms".
    public var intervalText: String {
        intervalNanoseconds % 1_000_000_000 == 0
            ? "\(intervalNanoseconds / 1_000_000_000) s" : "\(intervalNanoseconds / 1_000_000) ms"
    }

    public mutating func record(_ reason: Reason) {
        pending[reason.tallyIndex] &+= 1
        totals[reason.tallyIndex] &+= 1
    }

    /// Everything counted since the start, by reason; reasons never seen are left out.
    public var totalsByReason: [Reason: UInt64] {
        var result: [Reason: UInt64] = [:]
        for reason in Reason.allCases where totals[reason.tallyIndex] > 0 {
            result[reason] = totals[reason.tallyIndex]
        }
        return result
    }

    /// Nanoseconds from `now` until the current interval ends (a poll timeout).
    public func nanosecondsUntilSummary(now: UInt64) -> UInt64 {
        nextSummaryAt > now ? nextSummaryAt - now : 0
    }

    /// Whether the current interval has ended by `now`; if so the next one starts.
    /// Intervals are whole multiples from the first, so that a timer firing late does not
    /// push every later summary back.
    public mutating func intervalEnded(now: UInt64) -> Bool {
        guard now >= nextSummaryAt else { return false }
        nextSummaryAt &+= ((now - nextSummaryAt) / intervalNanoseconds + 1) * intervalNanoseconds
        return true
    }

    /// The summary when an interval has ended and something was counted in it. Nil
    /// otherwise: a quiet server logs nothing.
    public mutating func summaryIfDue(now: UInt64) -> String? {
        intervalEnded(now: now) ? takeSummary() : nil
    }

    /// What was counted since the last summary, due or not (at shutdown), as one line,
    /// "refused 3 datagrams in the last 10 s: 2 wrong length, 1 stale"; nil if nothing.
    /// The counts start over.
    public mutating func takeSummary() -> String? {
        let total = pending.reduce(0, &+)
        guard total > 0 else { return nil }
        let parts = Reason.allCases.compactMap { reason in
            pending[reason.tallyIndex] > 0 ? "\(pending[reason.tallyIndex]) \(reason)" : nil
        }
        pending = Array(repeating: 0, count: pending.count)
        return "refused \(total) \(noun)\(total == 1 ? "" : "s") in the last \(intervalText): "
            + parts.joined(separator: ", ")
    }
}
