import HyperionWire
import NIOCore
import Testing

@testable import HyperionMux

/// Frames from the peer in, actions out.
@Suite struct YamuxSessionInboundTests {
    let now = NIODeadline.uptimeNanoseconds(1_000_000_000)

    func server(_ adjust: (inout YamuxConfiguration) -> Void = { _ in }) -> YamuxSession {
        YamuxSession(configuration: .testing(.server, adjust), acceptsInboundStreams: true)
    }

    @Test func synOnAWindowUpdateOpensAndIsAckedAtOnce() throws {
        var session = self.server()
        let action = try #require(try session.receive(.window(1, .syn), now: self.now).streamAction)
        #expect(action.openedByPeer && !action.deliverPayload)
        #expect(action.reply == .window(1, .ack))
        #expect(session.stream(1)?.state.phase == .established)
        #expect(session.pendingAccepts == 1)
    }

    @Test func synOnADataFrameCarriesTheFirstData() throws {
        var session = self.server()
        let action = try #require(try session.receive(.data(1, .syn, length: 100), now: self.now).streamAction)
        #expect(action.openedByPeer && action.deliverPayload)
        #expect(action.reply == .window(1, .ack))
        #expect(session.stream(1)?.receiveWindow.buffered == 100)
    }

    @Test func synWithFinOpensAHalfClosedStream() throws {
        var session = self.server()
        let action = try #require(try session.receive(.data(1, [.syn, .fin], length: 2), now: self.now).streamAction)
        #expect(action.openedByPeer && action.deliverPayload && action.remoteFinished)
        #expect(session.stream(1)?.state.phase == .remoteClosed)
    }

    @Test(arguments: [
        YamuxHeader.window(2, .syn),  // the server's parity
        YamuxHeader.window(0, .syn),  // the session id
        YamuxHeader.data(0, length: 0),
    ])
    func badStreamIDsAreProtocolErrors(_ header: YamuxHeader) {
        var session = self.server()
        #expect(throws: YamuxError.self) { try session.receive(header, now: self.now) }
    }

    @Test func peerResetClosesTheStreamAndLaterFramesAreIgnored() throws {
        var session = self.server()
        _ = try session.receive(.window(1, .syn), now: self.now)
        let action = try #require(try session.receive(.window(1, .rst), now: self.now).streamAction)
        #expect(action.closedWithError?.kind == .streamReset && action.reply == nil)
        #expect(try session.receive(.data(1, length: 10), now: self.now) == .none)
        #expect(session.closeStream(1) == nil, "no RST answers an RST")
    }

    @Test func framesAfterOurResetAreIgnored() throws {
        var session = self.server()
        _ = try session.receive(.window(1, .syn), now: self.now)
        #expect(session.closeStream(1) == .window(1, .rst))
        #expect(try session.receive(.data(1, length: 10), now: self.now) == .none)
        #expect(try session.receive(.window(1, .fin, delta: 5), now: self.now) == .none)
        #expect(try session.receive(.data(99, length: 1), now: self.now) == .none, "never-opened ids are dropped too")
    }

    @Test func overrunningTheWindowResetsTheStreamOnly() throws {
        var session = self.server()
        _ = try session.receive(.data(1, .syn, length: 200 * 1024), now: self.now)
        let action = try #require(try session.receive(.data(1, length: 56 * 1024 + 1), now: self.now).streamAction)
        #expect(!action.deliverPayload)
        #expect(action.reply == .window(1, .rst))
        #expect(action.closedWithError?.kind == .windowExceeded)
        #expect(try session.receive(.data(1, length: 1), now: self.now) == .none)
        #expect(!session.isClosed)
    }

    @Test func dataAfterFinResetsTheStream() throws {
        var session = self.server()
        _ = try session.receive(.window(1, [.syn, .fin]), now: self.now)
        let action = try #require(try session.receive(.data(1, length: 1), now: self.now).streamAction)
        #expect(action.reply == .window(1, .rst) && action.closedWithError?.kind == .protocolError)
    }

    @Test func halfCloseRemoteFirst() throws {
        var session = self.server()
        _ = try session.receive(.window(1, .syn), now: self.now)
        #expect(try session.receive(.window(1, .fin), now: self.now).streamAction?.remoteFinished == true)
        #expect(session.sendableBytes(1) > 0, "our direction is still open")
        #expect(session.finishStream(1) == .send(.window(1, .fin)))
        #expect(session.stream(1)?.state.phase == .closed)
        #expect(session.closeStream(1) == nil)
    }

    @Test func halfCloseLocalFirst() throws {
        var session = self.server()
        _ = try session.receive(.window(1, .syn), now: self.now)
        #expect(session.finishStream(1) == .send(.window(1, .fin)))
        #expect(session.sendableBytes(1) == 0)
        #expect(try session.receive(.data(1, length: 5), now: self.now).streamAction?.deliverPayload == true)
        #expect(try session.receive(.data(1, .fin, length: 0), now: self.now).streamAction?.remoteFinished == true)
        #expect(session.stream(1)?.state.phase == .closed)
    }

    @Test func windowUpdatesLargerThanTheInitialWindowAreAdded() throws {
        var session = self.server()
        _ = try session.receive(.window(1, .syn, delta: 16 * 1024 * 1024), now: self.now)
        #expect(session.stream(1)?.sendWindow.available == UInt32(256 * 1024 + 16 * 1024 * 1024))
        let action = try #require(try session.receive(.window(1, delta: .max), now: self.now).streamAction)
        #expect(action.sendWindowOpened)
        #expect(session.stream(1)?.sendWindow.available == .max)
    }

    @Test func pingsAreAnsweredWithTheSameOpaqueValue() throws {
        var session = self.server()
        #expect(try session.receive(.ping(.syn, opaque: 0xDEAD_BEEF), now: self.now) == .pingReceived(opaque: 0xDEAD_BEEF, reply: .ping(.ack, opaque: 0xDEAD_BEEF)))
        let started = session.ping(now: self.now)
        let (opaque, frame) = try #require(started)
        #expect(frame == .ping(.syn, opaque: opaque))
        let answer = try session.receive(.ping(.ack, opaque: opaque), now: self.now + .milliseconds(30))
        #expect(answer == .pingAnswered(opaque: opaque, roundTripTime: .milliseconds(30)))
        #expect(session.pings.smoothedRoundTripTime == .milliseconds(30))
        #expect(try session.receive(.ping(.ack, opaque: opaque), now: self.now) == .none, "answered once only")
    }

    @Test func refusesStreamsBeyondTheLimitWithAResetNotAnError() throws {
        var session = self.server { $0.maximumStreams = 2 }
        _ = try session.receive(.window(1, .syn), now: self.now)
        _ = try session.receive(.window(3, .syn), now: self.now)
        let refused = try #require(try session.receive(.data(5, .syn, length: 10), now: self.now).streamAction)
        #expect(!refused.openedByPeer && !refused.deliverPayload && refused.reply == .window(5, .rst))
        #expect(refused.refusal == .streamLimit(2))
        #expect(try session.receive(.data(5, length: 10), now: self.now) == .none, "its later frames are stale")
        #expect(session.closeStream(1) == .window(1, .rst))
        #expect(try session.receive(.window(7, .syn), now: self.now).streamAction?.openedByPeer == true)
    }

    @Test func refusesStreamsBeyondTheAcceptBacklog() throws {
        var session = self.server { $0.acceptBacklog = 1 }
        _ = try session.receive(.window(1, .syn), now: self.now)
        let refused = try #require(try session.receive(.window(3, .syn), now: self.now).streamAction)
        #expect(refused.reply == .window(3, .rst) && refused.refusal == .acceptBacklog(1))
        session.acceptCompleted(1)
        #expect(session.pendingAccepts == 0)
        #expect(try session.receive(.window(5, .syn), now: self.now).streamAction?.openedByPeer == true)
    }

    @Test func servesThreeHundredStreamsOpenedBeforeAnyAck() throws {
        var session = self.server()
        for index in 0..<300 {
            let id = UInt32(2 * index + 1)
            let action = try #require(try session.receive(.data(id, .syn, length: 4), now: self.now).streamAction)
            #expect(action.openedByPeer && action.reply == .window(id, .ack))
            session.acceptCompleted(id)
        }
        #expect(session.streams.count == 300)
    }

    @Test func aSessionWithoutAcceptorRefusesEveryStream() throws {
        var session = YamuxSession(configuration: .testing(.client), acceptsInboundStreams: false)
        let refused = try #require(try session.receive(.window(2, .syn), now: self.now).streamAction)
        #expect(refused.reply == .window(2, .rst) && refused.refusal == .notAccepting)
    }
}
