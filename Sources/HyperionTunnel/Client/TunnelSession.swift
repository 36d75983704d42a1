import HyperionMux
import NIOCore
import Synchronization

/// A live, authenticated tunnel connection and its yamux multiplexer.
///
/// Shared across event loops: `load` is atomic so pools on any loop can pick the least
/// loaded session; everything touching the multiplexer hops to the session's own loop.
public final class TunnelSession: Sendable {
    public let channel: Channel
    let multiplexer: NIOLoopBound<YamuxMultiplexer>
    let watchdog: NIOLoopBound<TunnelWatchdog>
    /// Whether the connection looks dead (read from any loop by the pool).
    public let health: TunnelHealth
    /// What the server announced beyond v1 (early data).
    public let features: ServerFeatures
    /// Streams open on this session.
    let load = Atomic<Int>(0)
    public let connectDuration: TimeAmount
    public let handshakeDuration: TimeAmount

    init(
        channel: Channel, multiplexer: NIOLoopBound<YamuxMultiplexer>, watchdog: NIOLoopBound<TunnelWatchdog>,
        health: TunnelHealth, features: ServerFeatures, connectDuration: TimeAmount, handshakeDuration: TimeAmount
    ) {
        self.channel = channel
        self.multiplexer = multiplexer
        self.watchdog = watchdog
        self.health = health
        self.features = features
        self.connectDuration = connectDuration
        self.handshakeDuration = handshakeDuration
    }

    public var eventLoop: EventLoop { channel.eventLoop }
    public var isActive: Bool { channel.isActive }
    public var openStreams: Int { load.load(ordering: .relaxed) }

    /// Sends a yamux ping and reports the round trip; fails after `timeout`.
    public func ping(timeout: TimeAmount) -> EventLoopFuture<TimeAmount> {
        let loop = channel.eventLoop
        let promise = loop.makePromise(of: TimeAmount.self)
        loop.execute {
            self.multiplexer.value.ping(promise: promise)
            let timer = loop.scheduleTask(in: timeout) {
                promise.fail(TunnelError(.pingTimedOut, "no answer to a ping within \(timeout.milliseconds) ms"))
            }
            promise.futureResult.whenComplete { _ in timer.cancel() }
        }
        return promise.futureResult
    }

    /// Opens a stream to `port` on the server's loopback. The result is on the session's
    /// event loop.
    ///
    /// A server that announced early data gets the stream at once, when the connection was
    /// heard from a moment ago: the caller relays right away and learns the server's answer
    /// from `OpenedStream.answer`, one round trip sooner; the answer arrives with the
    /// caller's reads, so the caller must read (the relay does). Otherwise the result waits
    /// for the answer and fails if the stream is refused: on a v1 server, and on a quiet
    /// connection, whose path may have died unnoticed. A stream that waited has sent
    /// nothing of the application's, so if the connection dies first it fails with
    /// `.streamLostUnanswered` and may be opened again elsewhere.
    /// With `answerFirst`, the stream is handed over only once the server connected it, even
    /// to a server that takes early data: TUN mode lets the application's SYN through only then.
    public func openStream(port: UInt16, answerTimeout: TimeAmount, answerFirst: Bool = false) -> EventLoopFuture<OpenedStream> {
        let loop = channel.eventLoop
        let answered = loop.makePromise(of: OpenedStream.self)
        loop.execute {
            let watchdog = self.watchdog.value
            let mode: StreamOpener.Mode = !answerFirst && self.features.acceptsEarlyData && watchdog.isFresh ? .relayAtOnce : .awaitAnswer
            let token = watchdog.openSent()
            let settled = NIOLoopBound({ watchdog.openAnswered(token) }, eventLoop: loop)
            let created = loop.makePromise(of: Channel.self)
            self.multiplexer.value.createStream(promise: created) { stream in
                stream.eventLoop.makeCompletedFuture {
                    try stream.setOptionNow(.autoRead, value: false)
                    try stream.setOptionNow(.allowRemoteHalfClosure, value: true)
                    try stream.pipeline.syncOperations.addHandlers(
                        StreamOpener(port: port, timeout: answerTimeout, mode: mode, opened: answered, onSettled: settled.value),
                        InputHold()
                    )
                }
            }
            created.futureResult.whenFailure {
                watchdog.openAnswered(token)
                answered.fail($0)
            }
        }
        answered.futureResult.whenSuccess { opened in
            self.load.add(1, ordering: .relaxed)
            opened.channel.closeFuture.whenComplete { _ in self.load.subtract(1, ordering: .relaxed) }
        }
        return answered.futureResult
    }

    /// A stream waits because this connection is suspect: probe it now, so that it is
    /// found dead (and replaced) or healthy within seconds.
    func streamWaits() {
        let watchdog = self.watchdog
        eventLoop.execute { watchdog.value.streamWaits() }
    }

    public func close() {
        channel.close(promise: nil)
    }
}

/// A new stream, ready to relay (`Relay.start`): its `InputHold` keeps what arrived with
/// the server's answer, the end of the server's side included.
public struct OpenedStream: Sendable {
    public let channel: Channel
    /// The server's answer: succeeded once it connected the stream (already, unless the
    /// stream was opened with early data), failed with the reason if it refused or never
    /// answered. After a failure the stream is closed.
    public let answer: EventLoopFuture<Void>
}
