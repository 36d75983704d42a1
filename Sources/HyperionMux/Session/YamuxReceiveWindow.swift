import NIOCore

/// Receive-side flow control of one stream, with window auto-tuning.
///
/// Every received byte is in exactly one of three places:
/// `peerCredit` (the peer may still send it), `buffered` (arrived, not yet consumed by the
/// stream's pipeline) or `consumedUngranted` (consumed, credit not yet returned). Their sum
/// is the `target` window. Credit goes back only for consumed bytes, so a stream that is not
/// read stops receiving — that is the backpressure — and only once half the target is owed,
/// so that a stream reading in small pieces does not send a window update per piece.
///
/// Auto-tuning (as in quic-go and rust-yamux): a fixed window caps a stream at one window
/// per round trip, 2.5 MiB/s for 256 KiB over 100 ms. When an update is due less than two
/// round trips after the previous one, the application drains the window faster than the
/// peer can refill it, so the target doubles, up to `maximum`, and the extra is granted with
/// the update. Without a round-trip sample the window does not grow: guessing a short RTT
/// would inflate every stream's buffer for nothing; the multiplexer pings once at start so
/// that a sample exists early.
///
/// The target quadruples when the peer ran out of window although we had granted more:
/// its data ends exactly at the limit it had before our latest update, so that update
/// reached it too late. The ping's round trip does not see that delay: an update travels
/// behind our own data in the other direction, and on a lossy path behind its loss
/// repairs, for tens to hundreds of milliseconds, while the ping that measured the round
/// trip went through between two of them (docs/PERFORMANCE.md, "Loss"). Each such wait
/// costs the peer that long, so the window grows past them in half as many steps as by
/// doubling. A peer held back by our application instead (we owed no update) is no
/// reason to grow.
struct YamuxReceiveWindow: Hashable, Sendable {
    let maximum: UInt32
    private(set) var target: UInt32
    private(set) var peerCredit: UInt32
    private(set) var buffered: UInt32 = 0
    private(set) var consumedUngranted: UInt32 = 0
    /// When the previous window update (or the stream) started the current epoch.
    private(set) var epochStart: NIODeadline
    /// Bytes received on the stream so far.
    private(set) var received: UInt64 = 0
    /// How far the peer could send before our latest window update (nil before the first).
    private(set) var limitBeforeUpdate: UInt64?
    /// The peer's data ended at `limitBeforeUpdate`: it waited for that update.
    private(set) var peerWaitedForUpdate = false

    /// `start`: the window the stream begins with; more than `initial` (what the peer
    /// assumes) only if the difference is granted with the stream's SYN or ACK.
    init(initial: UInt32, start: UInt32? = nil, maximum: UInt32, now: NIODeadline) {
        self.maximum = max(maximum, initial)
        self.target = min(max(start ?? initial, initial), self.maximum)
        self.peerCredit = self.target
        self.epochStart = now
    }

    /// Accounts for `length` received bytes. Returns false, changing nothing, if the peer
    /// had no credit for them: the stream must be reset.
    mutating func receive(_ length: UInt32) -> Bool {
        guard length <= self.peerCredit else { return false }
        self.peerCredit -= length
        self.buffered += length
        self.received += UInt64(length)
        if length > 0, self.received == self.limitBeforeUpdate { self.peerWaitedForUpdate = true }
        return true
    }

    /// Accounts for `length` bytes handed to the stream's pipeline. Returns the window update
    /// delta to send, if one is due.
    mutating func consume(_ length: UInt32, now: NIODeadline, roundTripTime: TimeAmount?) -> UInt32? {
        precondition(length <= self.buffered, "consumed bytes that were never received")
        self.buffered -= length
        self.consumedUngranted += length
        guard self.consumedUngranted > 0, self.consumedUngranted >= self.target / 2 else { return nil }

        let grown = self.grownTarget(now: now, roundTripTime: roundTripTime)
        let delta = self.consumedUngranted + (grown - self.target)
        self.limitBeforeUpdate = self.received + UInt64(self.peerCredit)
        self.peerWaitedForUpdate = false
        self.target = grown
        self.peerCredit += delta
        self.consumedUngranted = 0
        self.epochStart = now
        return delta
    }

    private func grownTarget(now: NIODeadline, roundTripTime: TimeAmount?) -> UInt32 {
        guard self.target < self.maximum else { return self.target }
        let updatesComeFast = roundTripTime.map { now - self.epochStart < $0 * 2 } ?? false
        guard updatesComeFast || self.peerWaitedForUpdate else { return self.target }
        let grown = self.target.multipliedReportingOverflow(by: self.peerWaitedForUpdate ? 4 : 2)
        return grown.overflow ? self.maximum : min(grown.partialValue, self.maximum)
    }
}
