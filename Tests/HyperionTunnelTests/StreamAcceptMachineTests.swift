import HyperionWire
import NIOCore
import Testing
@testable import HyperionTunnel

/// The server's stream-open exchange (PROTOCOL.md §6) without channels.
@Suite struct StreamAcceptMachineTests {
    func machine() -> StreamAcceptMachine { StreamAcceptMachine(egress: EgressPolicy(allowedPorts: [22])) }

    @Test func aRequestInPiecesIsDialledAndWhatFollowsGoesToTheHold() {
        var accept = machine()
        #expect(accept.received(ByteBuffer(bytes: [0])) == .readMore)
        #expect(accept.received(ByteBuffer(bytes: [22, 0x53])) == .dial(port: 22, rest: ByteBuffer(bytes: [0x53])))
        #expect(accept.received(ByteBuffer(bytes: [0x48])) == .passOn)
        #expect(accept.inputClosed() == .passOn, "an end of input after the request is the relay's")
        #expect(accept.dialFinished(succeeded: true) == .relay)
    }

    @Test func aPortOutsideTheAllowListIsDenied() {
        var accept = machine()
        #expect(accept.received(ByteBuffer(bytes: [0, 80, 1])) == .refuse(.denied, rest: ByteBuffer(bytes: [1])))
        #expect(accept.port == 80)
    }

    @Test func aFailedDialIsUnreachable() {
        var accept = machine()
        _ = accept.received(ByteBuffer(bytes: [0, 22]))
        #expect(accept.dialFinished(succeeded: false) == .refuse(.unreachable, rest: nil))
    }

    /// The client reset the stream while the server dialled: the new connection is reset
    /// rather than relayed to nobody.
    @Test func aStreamGoneDuringTheDialAbandonsIt() {
        var accept = machine()
        _ = accept.received(ByteBuffer(bytes: [0, 22]))
        accept.streamWentAway()
        #expect(accept.dialFinished(succeeded: true) == .abandonDial)
        var failed = machine()
        _ = failed.received(ByteBuffer(bytes: [0, 22]))
        failed.streamWentAway()
        #expect(failed.dialFinished(succeeded: false) == .ignored)
    }

    @Test func anEndBeforeTheRequestClosesTheStream() {
        var accept = machine()
        #expect(accept.received(ByteBuffer(bytes: [0])) == .readMore)
        #expect(accept.inputClosed() == .close)
    }
}
