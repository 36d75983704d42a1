import HyperionWire
import NIOCore

/// What the multiplexer must do after the session processed one inbound frame.
enum YamuxInboundAction: Hashable, Sendable {
    /// Nothing: the frame was consumed (or ignored as stale).
    case none
    /// The peer pinged: send `reply` (the ACK) and report the ping.
    case pingReceived(opaque: UInt32, reply: YamuxHeader)
    /// One of our pings came back.
    case pingAnswered(opaque: UInt32, roundTripTime: TimeAmount)
    /// The peer goes away. `refusedStreams` are our opens whose SYN had not left yet: the
    /// peer will not accept them, so their channels must fail.
    case goAwayReceived(code: UInt32, refusedStreams: [UInt32])
    /// Something happened on one stream.
    case stream(YamuxStreamAction)
}

/// Everything one frame did to one stream, in the order the multiplexer applies it:
/// create the channel, send the reply, then tell the channel.
struct YamuxStreamAction: Hashable, Sendable {
    var streamID: UInt32
    /// A new inbound stream: create its channel (its ACK is in `reply`).
    var openedByPeer = false
    /// A frame to send right away: the ACK of a new stream, or the RST of a refused or
    /// overrunning one.
    var reply: YamuxHeader?
    /// Why a new inbound stream was refused (reset at once, no channel), for the log.
    var refusal: YamuxRefusal?
    /// The frame's payload belongs to the stream's inbound data.
    var deliverPayload = false
    /// The peer acknowledged our SYN; queued opens may now proceed.
    var acknowledged = false
    /// The send window grew; queued writes may proceed.
    var sendWindowOpened = false
    /// The peer finished sending (FIN), after any payload of this frame.
    var remoteFinished = false
    /// The stream ended abnormally (peer RST, or we reset it); its channel must close
    /// with this error.
    var closedWithError: YamuxError?

    init(streamID: UInt32) {
        self.streamID = streamID
    }
}

/// What finishing our side of a stream (FIN) amounts to.
enum YamuxFinishResult: Hashable, Sendable {
    /// Send this frame.
    case send(YamuxHeader)
    /// The stream's SYN has not left yet; the FIN must wait for it.
    case notYet
    /// The stream can no longer send (reset or gone); there is nothing to do.
    case impossible
}
