/// Counts refused frames by reason and turns them into one summary line per interval.
///
/// Logging each junk datagram would let anyone who can send UDP fill the server's disk;
/// a fixed array of counters and at most one line per interval costs the same whether a
/// thousand or a million datagrams arrived. Pure: the caller passes the monotonic time.
public struct RejectionTally: Sendable {
    public let intervalNanoseconds: UInt64
    /// Counts since the last summary.
    private var pending: [UInt64]
    /// Counts since the start, for statistics.
    private var totals: [UInt64]
    /// Frames the kernel dropped because the socket buffer was full, since the last summary.
    private var pendingKernelDrops: UInt64 = 0
    private var nextSummaryAt: UInt64

    public init(intervalNanoseconds: UInt64, now: UInt64) {
        precondition(intervalNanoseconds > 0)
        self.intervalNanoseconds = intervalNanoseconds
        pending = Array(repeating: 0, count: RejectionReason.allCases.count)
        totals = pending
        nextSummaryAt = now &+ intervalNanoseconds
    }

    private var intervalText: String {
        intervalNanoseconds % 1_000_000_000 == 0
            ? "\(intervalNanoseconds / 1_000_000_000) s" : "\(intervalNanoseconds / 1_000_000) ms"
    }

    public mutating func record(_ reason: RejectionReason) {
        pending[reason.index] &+= 1
        totals[reason.index] &+= 1
    }

    public mutating func recordKernelDrops(_ count: UInt64) {
        pendingKernelDrops &+= count
    }

    /// Everything counted since the start, by reason; reasons never seen are left out.
    public var totalsByReason: [RejectionReason: UInt64] {
        var result: [RejectionReason: UInt64] = [:]
        for (index, reason) in RejectionReason.allCases.enumerated() where totals[index] > 0 {
            result[reason] = totals[index]
        }
        return result
    }

    /// Nanoseconds from `now` until a summary is due; the sniffer's poll timeout.
    public func nanosecondsUntilSummary(now: UInt64) -> UInt64 {
        nextSummaryAt > now ? nextSummaryAt - now : 0
    }

    /// The summary line when an interval has passed and anything was counted in it, and
    /// then starts a new interval. Nil otherwise: a quiet server logs nothing.
    public mutating func summaryIfDue(now: UInt64) -> String? {
        guard now >= nextSummaryAt else { return nil }
        nextSummaryAt = now &+ intervalNanoseconds
        let counted = pending.reduce(0, &+)
        guard counted > 0 || pendingKernelDrops > 0 else { return nil }
        let parts = RejectionReason.allCases.enumerated().compactMap { index, reason in
            pending[index] > 0 ? "\(reason) \(pending[index])" : nil
        }
        var line = "refused \(counted) datagram\(counted == 1 ? "" : "s") in the last \(intervalText)"
        if !parts.isEmpty { line += ": " + parts.joined(separator: ", ") }
        if pendingKernelDrops > 0 { line += "; the kernel dropped \(pendingKernelDrops) more (receive buffer full)" }
        pending = Array(repeating: 0, count: pending.count)
        pendingKernelDrops = 0
        return line
    }
}
