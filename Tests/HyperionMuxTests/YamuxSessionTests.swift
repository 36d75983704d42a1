import HyperionWire
import NIOCore
import Testing

@testable import HyperionMux

/// Our side of the session: opening streams, sending, windows, go away, failure.
@Suite struct YamuxSessionTests {
    let now = NIODeadline.uptimeNanoseconds(1_000_000_000)

    func client(_ adjust: (inout YamuxConfiguration) -> Void = { _ in }) -> YamuxSession {
        YamuxSession(configuration: .testing(.client, adjust), acceptsInboundStreams: false)
    }

    @Test func clientOpensOddIdsWithASynOnAWindowUpdate() throws {
        var session = self.client()
        let first = try session.openStream(now: self.now)
        let second = try session.openStream(now: self.now)
        #expect(first.streamID == 1 && first.syn == .window(1, .syn))
        #expect(second.streamID == 3 && second.syn == .window(3, .syn))
        #expect(session.unacknowledgedOutbound == 2)
        #expect(session.sendableBytes(1) == 64 * 1024, "data may follow the SYN at once")
        let ack = try #require(try session.receive(.window(1, .ack), now: self.now).streamAction)
        #expect(ack.acknowledged)
        #expect(session.unacknowledgedOutbound == 1)
    }

    @Test func serverOpensEvenIds() throws {
        var session = YamuxSession(configuration: .testing(.server), acceptsInboundStreams: true)
        #expect(try session.openStream(now: self.now).streamID == 2)
    }

    @Test func queuesOpensBeyondTheUnacknowledgedLimit() throws {
        var session = self.client()
        var syns = 0
        for _ in 0..<300 where try session.openStream(now: self.now).syn != nil { syns += 1 }
        #expect(syns == 256)
        #expect(session.unacknowledgedOutbound == 256)
        #expect(session.sendableBytes(513) == 0, "a queued stream sends nothing before its SYN")
        #expect(session.finishStream(513) == .notYet)
        #expect(session.nextPendingOpen() == nil)

        _ = try session.receive(.window(1, .ack), now: self.now)
        let started = session.nextPendingOpen()
        let next = try #require(started)
        #expect(next.streamID == 513 && next.syn == .window(513, .syn))
        #expect(session.nextPendingOpen() == nil)

        // A queued stream closed before its turn is skipped and sends nothing.
        #expect(session.closeStream(515) == nil)
        #expect(session.closeStream(3) == .window(3, .rst), "closing an unacknowledged stream frees its place")
        #expect(session.nextPendingOpen()?.streamID == 517)
    }

    @Test func aResetInsteadOfTheAckRefusesTheStreamAndFreesItsPlace() throws {
        var session = self.client { $0.maximumUnacknowledgedOutbound = 1 }
        _ = try session.openStream(now: self.now)
        _ = try session.openStream(now: self.now)
        let action = try #require(try session.receive(.window(1, .rst), now: self.now).streamAction)
        #expect(action.closedWithError?.kind == .streamRefused)
        #expect(session.unacknowledgedOutbound == 0)
        #expect(session.nextPendingOpen()?.streamID == 3)
        #expect(session.closeStream(1) == nil)
        #expect(session.unacknowledgedOutbound == 1)
    }

    @Test func refusesOpensBeyondTheStreamLimit() throws {
        var session = self.client { $0.maximumStreams = 1 }
        _ = try session.openStream(now: self.now)
        #expect(throws: YamuxError.self) { try session.openStream(now: self.now) }
    }

    @Test func sendingConsumesTheWindowUntilAnUpdate() throws {
        var session = self.client()
        _ = try session.openStream(now: self.now)
        for _ in 0..<4 { _ = session.sendData(1, length: session.sendableBytes(1)) }
        #expect(session.sendableBytes(1) == 0)
        let action = try #require(try session.receive(.window(1, .ack, delta: 1000), now: self.now).streamAction)
        #expect(action.sendWindowOpened && action.acknowledged)
        #expect(session.sendableBytes(1) == 1000)
        #expect(session.sendData(1, length: 1000) == .data(1, length: 1000))
    }

    @Test func consumptionReturnsCreditAtHalfTheWindow() throws {
        var session = self.client()
        _ = try session.openStream(now: self.now)
        _ = try session.receive(.data(1, .ack, length: 200 * 1024), now: self.now)
        #expect(session.consumed(1, length: 100 * 1024, now: self.now) == nil)
        #expect(session.consumed(1, length: 28 * 1024, now: self.now) == .window(1, delta: 128 * 1024))
        _ = try session.receive(.data(1, .fin, length: 0), now: self.now)
        #expect(session.consumed(1, length: 72 * 1024, now: self.now) == nil, "no credit after the peer's FIN")
    }

    @Test func autoTuningUsesThePingRoundTripTime() throws {
        var session = self.client()
        let started = session.ping(now: self.now)
        let (opaque, _) = try #require(started)
        _ = try session.receive(.ping(.ack, opaque: opaque), now: self.now + .milliseconds(100))
        _ = try session.openStream(now: self.now)
        _ = try session.receive(.data(1, .ack, length: 128 * 1024), now: self.now)
        let update = session.consumed(1, length: 128 * 1024, now: self.now + .milliseconds(150))
        #expect(update == .window(1, delta: 128 * 1024 + 256 * 1024))
        #expect(session.stream(1)?.receiveWindow.target == UInt32(512 * 1024))
    }

    /// Issue 16, loss at 20 ms RTT: every stream started at 256 KiB and waited for the
    /// window a few round trips before auto-tuning caught up, again on each new stream of a
    /// session that had long since learned the path. A new stream now starts with the
    /// window its session's streams grew to (capped by `maximumStartWindow`), and grants
    /// the difference in its SYN or ACK, since the peer assumes 256 KiB.
    @Test func newStreamsStartWithTheWindowTheSessionLearned() throws {
        var session = YamuxSession(configuration: .testing(.client), acceptsInboundStreams: true)
        let started = session.ping(now: self.now)
        let (opaque, _) = try #require(started)
        _ = try session.receive(.ping(.ack, opaque: opaque), now: self.now + .milliseconds(20))
        let first = try session.openStream(now: self.now)
        #expect(first.syn == .window(1, .syn), "a fresh session grants nothing extra")
        // Three fast updates: 256 KiB -> 512 KiB -> 1 MiB -> 2 MiB.
        var window: UInt32 = 256 * 1024
        for _ in 0..<3 {
            _ = try session.receive(.data(1, .ack, length: window / 2), now: self.now)
            #expect(session.consumed(1, length: Int(window / 2), now: self.now + .milliseconds(1)) != nil)
            window *= 2
        }
        #expect(session.stream(1)?.receiveWindow.target == UInt32(2 * 1024 * 1024))

        let second = try session.openStream(now: self.now)
        #expect(second.syn == .window(3, .syn, delta: 2 * 1024 * 1024 - 256 * 1024))
        #expect(session.stream(3)?.receiveWindow.peerCredit == UInt32(2 * 1024 * 1024))
        let inbound = try #require(try session.receive(.window(2, .syn), now: self.now).streamAction)
        #expect(inbound.reply == .window(2, .ack, delta: 2 * 1024 * 1024 - 256 * 1024))
    }

    @Test func theLearnedStartWindowIsCapped() throws {
        var session = self.client { $0.maximumStartWindow = 512 * 1024 }
        let started = session.ping(now: self.now)
        let (opaque, _) = try #require(started)
        _ = try session.receive(.ping(.ack, opaque: opaque), now: self.now + .milliseconds(20))
        _ = try session.openStream(now: self.now)
        var window: UInt32 = 256 * 1024
        for _ in 0..<3 {
            _ = try session.receive(.data(1, .ack, length: window / 2), now: self.now)
            _ = session.consumed(1, length: Int(window / 2), now: self.now + .milliseconds(1))
            window *= 2
        }
        #expect(try session.openStream(now: self.now).syn == .window(3, .syn, delta: 256 * 1024))
    }

    @Test func goAwayReceivedStopsOpensAndRefusesQueuedOnes() throws {
        var session = self.client { $0.maximumUnacknowledgedOutbound = 1 }
        _ = try session.openStream(now: self.now)
        _ = try session.openStream(now: self.now)
        let action = try session.receive(.goAway(.normal), now: self.now)
        #expect(action == .goAwayReceived(code: 0, refusedStreams: [3]))
        #expect(session.isGoingAway)
        #expect(throws: YamuxError.self) { try session.openStream(now: self.now) }
        #expect(session.sendableBytes(1) > 0, "existing streams continue")
    }

    @Test func goAwaySentStopsOpensAndAccepts() throws {
        var session = YamuxSession(configuration: .testing(.server), acceptsInboundStreams: true)
        _ = try session.receive(.window(1, .syn), now: self.now)
        let (frame, refused) = session.goAway(code: .normal)
        #expect(frame == .goAway(.normal) && refused.isEmpty)
        #expect(session.goAway(code: .normal).frame == nil, "sent once")
        #expect(try session.receive(.window(3, .syn), now: self.now).streamAction?.reply == .window(3, .rst))
        #expect(throws: YamuxError.self) { try session.openStream(now: self.now) }
        #expect(session.sendableBytes(1) > 0)
    }

    @Test func failureSendsProtocolErrorOnceAndSilencesTheSession() throws {
        var session = self.client()
        _ = try session.openStream(now: self.now)
        #expect(session.fail() == .goAway(.protocolError))
        #expect(session.fail() == nil)
        #expect(session.isClosed)
        #expect(session.sendableBytes(1) == 0)
        #expect(session.closeStream(1) == nil)
        #expect(try session.receive(.ping(.syn, opaque: 1), now: self.now) == .none)
    }

    @Test func boundsOutstandingPings() {
        var session = self.client { $0.maximumOutstandingPings = 2 }
        #expect(session.ping(now: self.now) != nil)
        #expect(session.ping(now: self.now) != nil)
        #expect(session.ping(now: self.now) == nil)
        #expect(session.close().count == 2)
    }
}
