import NIOCore
import Testing

@testable import HyperionMux

/// Refused streams as log lines: at once when quiet, summed up when not, never more than
/// one line per interval.
@Suite struct YamuxRefusalLogTests {
    let start = NIODeadline.uptimeNanoseconds(5_000_000_000)
    let limit = YamuxRefusal.streamLimit(512)

    @Test func theFirstRefusalIsLoggedAtOnceNamingItsStream() {
        var log = YamuxRefusalLog()
        #expect(log.refused(stream: 7, because: self.limit, now: self.start) == .log("refused stream 7 opened by the peer at the limit of 512 open streams per connection"))
        #expect(log.summaryDeadline == nil)
        #expect(log.summary(now: self.start + .seconds(5)) == nil, "nothing held, nothing to say")
    }

    @Test func laterRefusalsWithinTheSecondAreSummedUpByCauseOnce() {
        var log = YamuxRefusalLog()
        _ = log.refused(stream: 1, because: self.limit, now: self.start)
        #expect(log.refused(stream: 3, because: self.limit, now: self.start + .milliseconds(100)) == .summarize(at: self.start + .seconds(1)))
        #expect(log.refused(stream: 5, because: .acceptBacklog(256), now: self.start + .milliseconds(200)) == .counted)
        #expect(log.refused(stream: 9, because: self.limit, now: self.start + .milliseconds(300)) == .counted)
        #expect(log.summary(now: self.start + .milliseconds(999)) == nil, "too early")
        #expect(log.summary(now: self.start + .seconds(1)) == "refused 3 streams opened by the peer in the last second: "
            + "2 at the limit of 512 open streams per connection, 1 at the accept backlog of 256 streams not yet set up")
        #expect(log.summary(now: self.start + .seconds(3)) == nil, "said once")
    }

    @Test func aSummaryStartsTheNextInterval() {
        var log = YamuxRefusalLog()
        _ = log.refused(stream: 1, because: self.limit, now: self.start)
        _ = log.refused(stream: 3, because: .goingAway, now: self.start + .milliseconds(10))
        #expect(log.summary(now: self.start + .milliseconds(1_200)) != nil)
        #expect(log.refused(stream: 5, because: .goingAway, now: self.start + .milliseconds(1_500)) == .summarize(at: self.start + .milliseconds(2_200)))
        #expect(log.summary(now: self.start + .milliseconds(2_200)) == "refused 1 stream opened by the peer in the last second: 1 as the session is going away")
    }

    @Test func aRefusalAfterAQuietIntervalIsLoggedAtOnceAgain() {
        var log = YamuxRefusalLog(interval: .milliseconds(500))
        _ = log.refused(stream: 1, because: .notAccepting, now: self.start)
        #expect(log.refused(stream: 3, because: .notAccepting, now: self.start + .milliseconds(500)) == .log("refused stream 3 opened by the peer as this end accepts no streams"))
        #expect(log.refused(stream: 5, because: .notAccepting, now: self.start + .milliseconds(501)) == .summarize(at: self.start + .milliseconds(1_000)))
        #expect(log.summary(now: self.start + .milliseconds(1_000)) == "refused 1 stream opened by the peer in the last 500 ms: 1 as this end accepts no streams")
    }

    /// A peer refused every millisecond for ten seconds, the caller doing what each step says
    /// (summaries on time, as a timer would): lines are at least a second apart, and together
    /// they account for every refusal.
    @Test func aFloodGivesOneLinePerSecondAndLosesNoCount() throws {
        var log = YamuxRefusalLog()
        var lines: [(at: NIODeadline, text: String)] = []
        var dueSummary: NIODeadline?
        var refusals = 0
        for millisecond in 0..<10_000 {
            let now = self.start + .milliseconds(Int64(millisecond))
            if let due = dueSummary, now >= due, let line = log.summary(now: now) {
                lines.append((now, line))
                dueSummary = nil
            }
            refusals += 1
            switch log.refused(stream: UInt32(2 * millisecond + 1), because: self.limit, now: now) {
            case .log(let line): lines.append((now, line))
            case .summarize(let at): dueSummary = at
            case .counted: break
            }
        }
        if let due = dueSummary, let line = log.summary(now: due) { lines.append((due, line)) }

        #expect(lines.count == 11)
        for (earlier, later) in zip(lines, lines.dropFirst()) {
            #expect(later.at - earlier.at >= .seconds(1))
        }
        let summed = try lines.dropFirst().map { line in
            let count = line.text.split(separator: " ")[1]
            return try #require(Int(count))
        }.reduce(0, +)
        #expect(summed + 1 == refusals)
    }
}
