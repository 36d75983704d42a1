import NIOCore

/// Turns the streams a connection refuses into log lines, at most one per interval.
///
/// A refusal at a limit is something an operator must see (the limit may be too low), but a
/// peer that keeps opening streams past it can send SYNs far faster than anyone reads logs.
/// So the first refusal after a quiet interval is logged at once, naming its stream, and
/// the ones after it are counted by cause and summed up in one line as soon as an interval
/// has passed since the previous line. Pure: the caller passes the time, and schedules the
/// summary when told to.
struct YamuxRefusalLog {
    /// What the caller must do after a refusal.
    enum Step: Hashable {
        /// Log this line now.
        case log(String)
        /// Nothing now: call `summary(now:)` at this time.
        case summarize(at: NIODeadline)
        /// Counted; a summary is already due.
        case counted
    }

    let interval: TimeAmount
    private var lastLine: NIODeadline?
    /// Refusals since the last line, by cause, in the order first seen. Bounded: the limits
    /// of a session are fixed, so there are at most four causes.
    private var held: [(refusal: YamuxRefusal, count: Int)] = []

    init(interval: TimeAmount = .seconds(1)) {
        precondition(interval > .zero, "the interval must be positive")
        self.interval = interval
    }

    /// When the summary of held refusals may be logged, if any are held.
    var summaryDeadline: NIODeadline? {
        guard !self.held.isEmpty, let lastLine = self.lastLine else { return nil }
        return lastLine + self.interval
    }

    mutating func refused(stream id: UInt32, because refusal: YamuxRefusal, now: NIODeadline) -> Step {
        if self.held.isEmpty, self.lastLine.map({ now - $0 >= self.interval }) ?? true {
            self.lastLine = now
            return .log("refused stream \(id) opened by the peer \(refusal)")
        }
        let isFirstHeld = self.held.isEmpty
        if let index = self.held.firstIndex(where: { $0.refusal == refusal }) {
            self.held[index].count += 1
        } else {
            self.held.append((refusal, 1))
        }
        return isFirstHeld ? .summarize(at: self.summaryDeadline!) : .counted
    }

    /// The line that sums up the held refusals, once an interval has passed since the last
    /// line; nil before, or when none are held.
    mutating func summary(now: NIODeadline) -> String? {
        guard let deadline = self.summaryDeadline, now >= deadline else { return nil }
        let total = self.held.reduce(0) { $0 + $1.count }
        let causes = self.held.map { "\($0.count) \($0.refusal)" }.joined(separator: ", ")
        let period = self.interval == .seconds(1) ? "second" : "\(self.interval.nanoseconds / 1_000_000) ms"
        self.held.removeAll()
        self.lastLine = now
        return "refused \(total) stream\(total == 1 ? "" : "s") opened by the peer in the last \(period): \(causes)"
    }
}
