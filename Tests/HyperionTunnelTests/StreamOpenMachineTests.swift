import HyperionMux
import NIOCore
import Testing
@testable import HyperionTunnel

/// The client's stream-open exchange (PROTOCOL.md §6) without channels.
@Suite struct StreamOpenMachineTests {
    let now = NIODeadline.uptimeNanoseconds(5_000_000_000)

    func machine(_ mode: StreamOpenMachine.Mode = .awaitAnswer) -> StreamOpenMachine {
        StreamOpenMachine(port: 22, mode: mode, now: now, timeout: .seconds(10))
    }

    func failure(_ outcome: StreamOpenMachine.Outcome) -> (TunnelError, Bool)? {
        if case let .failed(error, relayKnows) = outcome { return (error, relayKnows) }
        return nil
    }

    @Test func v1WaitsForTheAnswerAndHandsOverWithWhatFollowedIt() {
        var open = machine()
        #expect(open.activated() == .ignored)
        #expect(open.received(ByteBuffer()) == .readMore)
        #expect(open.received(ByteBuffer(bytes: [0, 0x53, 0x53])) == .connected(rest: ByteBuffer(bytes: [0x53, 0x53]), handOver: true))
        #expect(open.received(ByteBuffer(bytes: [1])) == .ignored, "after the answer everything is data, for the relay")
    }

    @Test func earlyDataHandsOverOnActivationAndNotAgain() {
        var open = machine(.relayAtOnce)
        #expect(open.activated() == .handOver)
        #expect(open.received(ByteBuffer(bytes: [0])) == .connected(rest: nil, handOver: false))
    }

    @Test func refusalsNameTheReasonAndTellTheRelayOnlyAfterAHandOver() {
        var v1 = machine()
        let denied = failure(v1.received(ByteBuffer(bytes: [1])))
        #expect(denied?.0.message.contains("denied port 22") == true)
        #expect(denied?.0.kind == .streamDenied)
        #expect(denied?.1 == false)
        var early = machine(.relayAtOnce)
        _ = early.activated()
        let unreachable = failure(early.received(ByteBuffer(bytes: [2, 9])))
        #expect(unreachable?.0.message.contains("could not reach 127.0.0.1:22") == true)
        #expect(unreachable?.0.kind == .streamUnreachable)
        #expect(unreachable?.1 == true)
        var invalid = machine()
        #expect(failure(invalid.received(ByteBuffer(bytes: [7])))?.0.message.contains("invalid byte") == true)
    }

    /// Issue 16: a stream whose connection died before its answer, never handed over, is
    /// marked for opening again elsewhere; one already relaying is not (bytes may have left).
    @Test func aStreamLostWithItsConnectionBeforeTheHandOverMayBeOpenedAgain() {
        let lost = YamuxError(.connectionClosed, "the connection under the yamux session closed")
        var waiting = machine()
        #expect(failure(waiting.errorCaught(lost))?.0.kind == .streamLostUnanswered)
        var relaying = machine(.relayAtOnce)
        _ = relaying.activated()
        #expect(failure(relaying.errorCaught(lost))?.0.kind == .streamRefused)
    }

    @Test func aStreamRefusedAtTheServersLimitSaysSo() {
        var open = machine()
        let refused = failure(open.errorCaught(YamuxError(.streamRefused, "the peer refused stream 3")))
        #expect(refused?.0.message.contains("max_streams_per_connection") == true)
    }

    @Test func endsWithoutAnAnswerFail() {
        var ended = machine()
        #expect(failure(ended.inputClosed())?.0.message.contains("without answering") == true)
        var closed = machine()
        #expect(failure(closed.closed())?.0.message.contains("closed before the server answered") == true)
        #expect(closed.closed() == .ignored, "settled once")
    }

    @Test func theAnswerIsDueWithinTheTimeout() {
        var open = machine()
        #expect(open.timeElapsed(now: now + .milliseconds(9999)) == .ignored)
        #expect(failure(open.timeElapsed(now: now + .seconds(10)))?.0.message.contains("within 10000 ms") == true)
        #expect(open.received(ByteBuffer(bytes: [0])) == .ignored)
    }
}
