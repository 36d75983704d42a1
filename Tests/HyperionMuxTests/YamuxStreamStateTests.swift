import Testing

@testable import HyperionMux

@Suite struct YamuxStreamStateTests {
    @Test func outboundStreamIsEstablishedByAck() {
        var state = YamuxStreamState()
        #expect(state.phase == .idle)
        #expect(!state.isOpenOnWire && !state.canSend)
        state.sendSyn()
        #expect(state.phase == .synSent && state.awaitingAcknowledgement)
        #expect(state.canSend && state.canReceive)
        #expect(state.receiveAck() == true)
        #expect(state.phase == .established && !state.awaitingAcknowledgement)
        #expect(state.receiveAck() == false, "a second ACK is ignored")
    }

    @Test func inboundStreamIsEstablishedByOurAck() {
        var state = YamuxStreamState()
        state.receiveSyn()
        #expect(state.phase == .synReceived && !state.canSend && state.canReceive)
        state.sendAck()
        #expect(state.phase == .established && state.canSend)
    }

    @Test func localFinThenRemoteFin() {
        var state = YamuxStreamState()
        state.sendSyn()
        _ = state.receiveAck()
        state.sendFin()
        #expect(state.phase == .localClosed && !state.canSend && state.canReceive)
        #expect(state.receiveFin() == true)
        #expect(state.phase == .closed && state.isTerminal && state.hasReceivedFin)
    }

    @Test func remoteFinThenLocalFin() {
        var state = YamuxStreamState()
        state.receiveSyn()
        state.sendAck()
        #expect(state.receiveFin() == true)
        #expect(state.phase == .remoteClosed && state.canSend && !state.canReceive)
        #expect(state.receiveFin() == false, "a repeated FIN changes nothing")
        state.sendFin()
        #expect(state.phase == .closed)
    }

    @Test func finBeforeAckKeepsWaitingForTheAck() {
        var state = YamuxStreamState()
        state.sendSyn()
        state.sendFin()
        #expect(state.phase == .localClosed && state.awaitingAcknowledgement)
        #expect(state.receiveAck() == true)
        #expect(state.phase == .localClosed && !state.awaitingAcknowledgement)
    }

    @Test func resetEndsEverything() {
        var state = YamuxStreamState()
        state.sendSyn()
        state.reset()
        #expect(state.phase == .reset && state.isTerminal && !state.awaitingAcknowledgement)
        #expect(!state.canSend && !state.canReceive)
        #expect(state.receiveFin() == false)
    }
}
