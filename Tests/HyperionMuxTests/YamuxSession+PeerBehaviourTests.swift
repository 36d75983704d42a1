import HyperionWire
import NIOCore
import Testing

@testable import HyperionMux

/// What any spec-compliant yamux peer may send, taken as it comes.
///
/// Each test names the behaviour of hashicorp/yamux (`session.go`, `stream.go`) or of
/// libp2p/rust-yamux (`connection.rs`) that it stands for: a peer built on either one does
/// exactly this, so a session that rejects it cannot talk to that peer.
@Suite struct YamuxSessionPeerBehaviourTests {
    let now = NIODeadline.uptimeNanoseconds(1_000_000_000)

    func server(_ adjust: (inout YamuxConfiguration) -> Void = { _ in }) -> YamuxSession {
        YamuxSession(configuration: .testing(.server, adjust), acceptsInboundStreams: true)
    }

    func client(_ adjust: (inout YamuxConfiguration) -> Void = { _ in }) -> YamuxSession {
        YamuxSession(configuration: .testing(.client, adjust), acceptsInboundStreams: false)
    }

    // MARK: New stream ids

    /// hashicorp: `OpenStream` takes the next id from an atomic counter but writes the SYN
    /// from the caller's own goroutine, so concurrent opens put their SYNs on the wire in
    /// whatever order the goroutines run. Its own `incomingStream` never asks for order.
    @Test func newStreamIDsMayArriveInAnyOrder() throws {
        var session = self.server()
        var ids = (0..<64).map { UInt32(2 * $0 + 1) }
        var generator = SplitMix64(seed: 15)
        ids.shuffle(using: &generator)
        ids.swapAt(0, ids.firstIndex(of: 127)!)  // the highest id first, so every later one is lower
        for id in ids {
            let action = try #require(try session.receive(.window(id, .syn), now: self.now).streamAction)
            #expect(action.openedByPeer && action.reply == .window(id, .ack), "stream \(id)")
        }
        #expect(session.streams.count == 64)
        #expect(!session.isClosed)
    }

    /// rust-yamux: `is_valid_remote_id` only checks that the id has the opener's parity
    /// (odd from the client); a SYN with the other parity ends the connection with a
    /// protocol error. Id 0 is the session's own (the spec) and ends it too. (hashicorp
    /// checks no parity at all; a compliant peer never needs that leniency.)
    @Test(arguments: [UInt32(0), 2, 4, 1_000])
    func aNewIdOfTheWrongParityIsAProtocolError(_ id: UInt32) {
        var session = self.server()
        #expect(throws: YamuxError.self) { try session.receive(.window(id, .syn), now: self.now) }
        var client = YamuxSession(configuration: .testing(.client), acceptsInboundStreams: true)
        #expect(throws: YamuxError.self) { try client.receive(.window(id + 1, .syn), now: self.now) }
    }

    /// hashicorp: `incomingStream` answers a SYN for an id still in its stream table with
    /// go away(protocol error) and `ErrDuplicateStream`; rust-yamux: "stream already exists"
    /// terminates with a protocol error. An entry stays in our table until its channel
    /// closes, also after both FINs, so such an id is in use.
    @Test func aSynForAnIdInUseIsAProtocolError() throws {
        var session = self.server()
        _ = try session.receive(.window(7, .syn), now: self.now)
        _ = try session.receive(.window(3, .syn), now: self.now)
        #expect(throws: YamuxError.self) { try session.receive(.data(3, .syn, length: 1), now: self.now) }

        var finished = self.server()
        _ = try finished.receive(.window(5, [.syn, .fin]), now: self.now)
        #expect(finished.finishStream(5) == .send(.window(5, .fin)))
        #expect(throws: YamuxError.self, "closed on the wire, but its channel is still there") {
            try finished.receive(.window(5, .syn), now: self.now)
        }
    }

    /// hashicorp: only the stream table decides what is in use; once `closeStream` deleted
    /// an id, a SYN for it opens a new stream. A refused id never entered the table.
    @Test func anIdIsFreeOnceItsEntryIsGone() throws {
        var session = self.server { $0.maximumStreams = 1 }
        _ = try session.receive(.window(9, .syn), now: self.now)
        #expect(try session.receive(.window(11, .syn), now: self.now).streamAction?.refusal == .streamLimit(1))
        #expect(session.closeStream(9) == .window(9, .rst))
        #expect(try session.receive(.window(11, .syn), now: self.now).streamAction?.openedByPeer == true)
        #expect(session.closeStream(11) == .window(11, .rst))
        #expect(try session.receive(.window(9, .syn), now: self.now).streamAction?.openedByPeer == true)
    }

    // MARK: Streams we opened, before the peer's ACK

    /// hashicorp's `readData` and `incrSendWindow` take data and credit on a stream still in
    /// SYN-sent state (ACK is one more flag, acted on when present), and rust-yamux's
    /// `on_data` and `on_window_update` look the stream up without asking whether it was
    /// acknowledged. Neither sends data ahead of its own ACK, but the spec does not forbid
    /// it; data, credit and even FIN before the ACK belong to the stream.
    @Test func dataAndWindowUpdatesBeforeTheAckBelongToTheStream() throws {
        var session = self.client()
        _ = try session.openStream(now: self.now)

        let data = try #require(try session.receive(.data(1, length: 100), now: self.now).streamAction)
        #expect(data.deliverPayload && !data.acknowledged && data.closedWithError == nil)
        #expect(session.stream(1)?.receiveWindow.buffered == 100)

        let credit = try #require(try session.receive(.window(1, delta: 4096), now: self.now).streamAction)
        #expect(credit.sendWindowOpened && !credit.acknowledged)
        #expect(session.stream(1)?.sendWindow.available == UInt32(256 * 1024 + 4096))
        #expect(session.unacknowledgedOutbound == 1, "still unacknowledged")

        let fin = try #require(try session.receive(.window(1, .fin), now: self.now).streamAction)
        #expect(fin.remoteFinished && !fin.acknowledged)
        #expect(session.sendableBytes(1) > 0, "our direction stays open")

        let ack = try #require(try session.receive(.window(1, .ack), now: self.now).streamAction)
        #expect(ack.acknowledged && session.unacknowledgedOutbound == 0)
        #expect(!session.isClosed)
    }

    /// rust-yamux's lazy ACK: an accepted stream's ACK goes out on its first frame, whatever
    /// that is: data, a window update, or the FIN that closes it.
    @Test func anAckMayRideOnDataWithFin() throws {
        var session = self.client()
        _ = try session.openStream(now: self.now)
        let action = try #require(try session.receive(.data(1, [.ack, .fin], length: 5), now: self.now).streamAction)
        #expect(action.acknowledged && action.deliverPayload && action.remoteFinished)
        #expect(session.unacknowledgedOutbound == 0)
    }

    // MARK: Frames for streams that are unknown or gone

    /// hashicorp: `handleStreamMessage` logs "frame for missing stream" and drains the data
    /// of a stream it does not know (after its own RST, say), and goes on; rust-yamux: "data
    /// frame / window update for unknown stream, possibly dropped earlier", deliberately no
    /// RST and no error (rust-yamux issue 110). FIN, RST, data and credit for an id we never
    /// saw, of either parity, change nothing and end nothing.
    @Test(arguments: [
        YamuxHeader.window(41, .fin), .window(41, .rst), .data(41, length: 300), .window(41, delta: 1_000),
        .data(41, [.fin, .rst], length: 0), .window(41, .ack), .window(42, .fin), .data(42, length: 7),
    ])
    func framesForStreamsNeverOpenedAreIgnored(_ header: YamuxHeader) throws {
        var session = self.server()
        _ = try session.receive(.window(1, .syn), now: self.now)
        #expect(try session.receive(header, now: self.now) == .none)
        #expect(!session.isClosed)
        #expect(session.streams.count == 1)
        #expect(try session.receive(.window(3, .syn), now: self.now).streamAction?.openedByPeer == true)
    }

    /// The same for streams that just ended: hashicorp deletes a stream at its second FIN or
    /// its RST while the peer may still have frames for it in flight; rust-yamux drops a
    /// stream while its last commands are still queued. Late frames after our RST, after both
    /// FINs, and after the entry is gone are all ignored.
    @Test func framesForRecentlyClosedStreamsAreIgnored() throws {
        var session = self.server()
        let late: [YamuxHeader] = [.data(1, length: 10), .window(1, .fin), .window(1, .rst), .window(1, delta: 5), .window(1, .ack)]

        _ = try session.receive(.window(1, .syn), now: self.now)
        #expect(session.resetStream(1) == .window(1, .rst))
        for header in late { #expect(try session.receive(header, now: self.now) == .none, "after our RST: \(header)") }
        #expect(session.closeStream(1) == nil)
        for header in late { #expect(try session.receive(header, now: self.now) == .none, "entry gone: \(header)") }

        _ = try session.receive(.window(3, .syn), now: self.now)
        _ = try session.receive(.window(3, .fin), now: self.now)
        #expect(session.finishStream(3) == .send(.window(3, .fin)))
        #expect(try session.receive(.window(3, .fin), now: self.now).streamAction?.remoteFinished != true, "a repeated FIN")
        #expect(try session.receive(.window(3, delta: 5), now: self.now).streamAction?.closedWithError == nil)
        #expect(session.closeStream(3) == nil)
        #expect(try session.receive(.window(3, .rst), now: self.now) == .none)
        #expect(!session.isClosed)
    }

    /// hashicorp: a stream it refused at the accept backlog is deleted at once, and the data
    /// that followed its SYN is drained as for any missing stream.
    @Test func framesForARefusedStreamAreIgnored() throws {
        var session = self.server { $0.acceptBacklog = 1 }
        _ = try session.receive(.window(1, .syn), now: self.now)
        #expect(try session.receive(.data(3, .syn, length: 10), now: self.now).streamAction?.reply == .window(3, .rst))
        #expect(try session.receive(.data(3, length: 10), now: self.now) == .none)
        #expect(try session.receive(.data(3, .fin, length: 0), now: self.now) == .none)
        #expect(try session.receive(.window(3, .rst), now: self.now) == .none)
        #expect(!session.isClosed)
    }

    // MARK: Ping

    /// hashicorp `handlePing` and rust-yamux `on_ping`: a ping with SYN is answered with ACK
    /// and the same opaque value; an ACK is matched to the ping we sent (hashicorp's `Ping`,
    /// rust-yamux's RTT measurement) and an ACK nobody asked for is dropped.
    @Test func pingsWorkInBothDirections() throws {
        for var session in [self.server(), self.client()] {
            let peerPing = try session.receive(.ping(.syn, opaque: 0xFFFF_FFFF), now: self.now)
            #expect(peerPing == .pingReceived(opaque: 0xFFFF_FFFF, reply: .ping(.ack, opaque: 0xFFFF_FFFF)))

            let started = session.ping(now: self.now)
            let (opaque, frame) = try #require(started)
            #expect(frame == .ping(.syn, opaque: opaque))
            #expect(try session.receive(.ping(.ack, opaque: opaque &+ 100), now: self.now) == .none, "not ours")
            let answer = try session.receive(.ping(.ack, opaque: opaque), now: self.now + .milliseconds(7))
            #expect(answer == .pingAnswered(opaque: opaque, roundTripTime: .milliseconds(7)))
            #expect(session.pings.outstandingCount == 0)
        }
    }

    /// Pings from the peer while our own are outstanding, and interleaved with stream
    /// frames: rust-yamux measures its RTT with pings on a live connection.
    @Test func pingsInterleaveWithOurOwnAndWithStreams() throws {
        var session = self.server()
        let started = session.ping(now: self.now)
        let (ours, _) = try #require(started)
        _ = try session.receive(.data(1, .syn, length: 4), now: self.now)
        #expect(try session.receive(.ping(.syn, opaque: ours), now: self.now) == .pingReceived(opaque: ours, reply: .ping(.ack, opaque: ours)))
        #expect(session.pings.outstandingCount == 1, "the peer's ping with the same value is not our answer")
        #expect(try session.receive(.ping(.ack, opaque: ours), now: self.now).isPingAnswered)
        #expect(try session.receive(.data(1, length: 4), now: self.now).streamAction?.deliverPayload == true)
    }

    // MARK: Go away

    /// hashicorp `handleGoAway`: after a normal go away `OpenStream` fails with
    /// `ErrRemoteGoAway`, and the streams already open keep running to their end.
    /// rust-yamux closes the connection on any go away; we are more patient and let the
    /// open streams finish either way. A second go away changes nothing.
    @Test(arguments: [YamuxHeader.GoAwayCode.normal, .protocolError, .internalError])
    func goAwayReceivedStopsNewStreamsOnly(_ code: YamuxHeader.GoAwayCode) throws {
        var session = self.client()
        _ = try session.openStream(now: self.now)
        _ = try session.receive(.window(1, .ack), now: self.now)
        #expect(try session.receive(.goAway(code), now: self.now) == .goAwayReceived(code: code.rawValue, refusedStreams: []))
        #expect(try session.receive(.goAway(.normal), now: self.now) == .none, "only the first one counts")
        #expect(throws: YamuxError.self) { try session.openStream(now: self.now) }
        #expect(try session.receive(.data(1, length: 10), now: self.now).streamAction?.deliverPayload == true)
        #expect(session.sendableBytes(1) > 0)
        #expect(try session.receive(.window(1, .fin), now: self.now).streamAction?.remoteFinished == true)
        #expect(session.finishStream(1) == .send(.window(1, .fin)))
        #expect(!session.isClosed)
    }

    /// hashicorp `incomingStream`: after its own go away it answers every new SYN with RST
    /// and carries on; the streams it had keep going. Ours does the same, and a peer's
    /// frames for the refused id are ignored like any other stale frame.
    @Test func goAwaySentRefusesNewStreamsWithoutEndingTheSession() throws {
        var session = self.server()
        _ = try session.receive(.window(1, .syn), now: self.now)
        #expect(session.goAway(code: .normal).frame == .goAway(.normal))
        let refused = try #require(try session.receive(.data(5, .syn, length: 3), now: self.now).streamAction)
        #expect(refused.reply == .window(5, .rst) && !refused.openedByPeer && !refused.deliverPayload)
        #expect(refused.refusal == .goingAway)
        let earlier = try #require(try session.receive(.window(3, .syn), now: self.now).streamAction)
        #expect(earlier.reply == .window(3, .rst), "a lower id after go away is refused, not fatal")
        #expect(try session.receive(.data(5, length: 3), now: self.now) == .none)
        #expect(try session.receive(.data(1, length: 10), now: self.now).streamAction?.deliverPayload == true)
        #expect(!session.isClosed)
    }
}

extension YamuxInboundAction {
    fileprivate var isPingAnswered: Bool {
        if case .pingAnswered = self { return true }
        return false
    }
}
