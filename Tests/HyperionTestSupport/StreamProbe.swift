import NIOCore
import NIOPosix
import Testing

/// A client of a forwarded port: sends a payload, half-closes its write side, and collects
/// everything that comes back until the other side closes.
enum StreamProbe {
    struct Result: Sendable {
        let received: [UInt8]
        /// True when the payload was written and the connection ended without an error
        /// (EOF, not a reset).
        let cleanEOF: Bool
    }

    static func exchange(port: Int, payload: [UInt8], group: EventLoopGroup, timeout: TimeAmount = .seconds(60)) async throws -> Result {
        let done = group.next().makePromise(of: Result.self)
        let collector = Collector(done: done)
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(5))
                .channelOption(.allowRemoteHalfClosure, value: true)
                .channelInitializer { $0.pipeline.addHandler(collector) }
                .connect(host: "127.0.0.1", port: port)
                .get()
        } catch {
            done.fail(error)  // a promise left pending traps in debug builds
            // The kernel completed the connection, and the forward reset it before NIO
            // saw the connect finish: an outcome, like a reset after the write.
            if let failure = error as? NIOConnectionError,
                failure.connectionErrors.contains(where: { ($0.error as? IOError)?.errnoCode == ECONNRESET })
            {
                return Result(received: [], cleanEOF: false)
            }
            throw error
        }
        // The failure says how far the exchange got: a stall (bytes missing) and a lost EOF
        // (all bytes back, no close) have different causes.
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            done.fail(TestFailure(
                "no EOF from port \(port) (local port \(channel.localAddress?.port ?? -1)) within \(timeout): "
                    + "received \(collector.receivedCount) of \(payload.count) bytes, "
                    + "our write \(collector.writeState)"
            ))
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        // A refused stream may close the connection before the payload is out: that is an
        // outcome to report, not a test error.
        let written = (try? await channel.writeAndFlush(channel.allocator.buffer(bytes: payload))) != nil
        channel.eventLoop.execute { collector.writeState = written ? "completed" : "failed" }
        try? await channel.close(mode: .output)
        channel.eventLoop.execute { collector.writeState += ", output shut" }
        let result = try await done.futureResult.get()
        // A reset that fails our write closes the channel without an error event: a write
        // that did not go through is never a clean end.
        return Result(received: result.received, cleanEOF: result.cleanEOF && written)
    }
}

/// A connection to a forwarded port that the test writes to in steps, for a transfer
/// that must still be in flight when something happens (a signal): `send` parts of the
/// payload, then `finish` half-closes and collects everything until the other side closes.
final class HeldConnection: Sendable {
    let channel: Channel
    private let done: EventLoopPromise<StreamProbe.Result>
    private let collector: Collector

    private init(channel: Channel, done: EventLoopPromise<StreamProbe.Result>, collector: Collector) {
        self.channel = channel
        self.done = done
        self.collector = collector
    }

    static func open(port: Int, group: EventLoopGroup) async throws -> HeldConnection {
        let done = group.next().makePromise(of: StreamProbe.Result.self)
        let collector = Collector(done: done)
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(5))
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { $0.pipeline.addHandler(collector) }
            .connect(host: "127.0.0.1", port: port)
            .get()
        return HeldConnection(channel: channel, done: done, collector: collector)
    }

    func send(_ bytes: some Sequence<UInt8>) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: Array(bytes)))
    }

    /// Bytes received so far.
    var receivedCount: Int {
        get async throws { try await channel.eventLoop.submit { self.collector.receivedCount }.get() }
    }

    /// Half-closes our side (unless `halfClose` is false: then the other side must end
    /// first) and waits for the other side to close; we close at its EOF.
    func finish(halfClose: Bool = true, timeout: TimeAmount = .seconds(30)) async throws -> StreamProbe.Result {
        let channel = self.channel, collector = self.collector, done = self.done
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            done.fail(TestFailure("no EOF within \(timeout): received \(collector.receivedCount) bytes"))
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        if halfClose { try? await channel.close(mode: .output) }
        return try await done.futureResult.get()
    }
}

private final class Collector: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: used on its channel's loop only.
    typealias InboundIn = ByteBuffer
    private var received: [UInt8] = []
    private var sawError = false
    var receivedCount: Int { received.count }
    var writeState = "still pending"
    private let done: EventLoopPromise<StreamProbe.Result>

    init(done: EventLoopPromise<StreamProbe.Result>) { self.done = done }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received.append(contentsOf: unwrapInboundIn(data).readableBytesView)
    }

    // With our output already shut, NIO closes the channel at EOF without an inputClosed
    // event; with it open, the event comes first. Either way only an error is unclean.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent {
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        sawError = true
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.succeed(StreamProbe.Result(received: received, cleanEOF: !sawError))
    }

    /// A channel that never became active (its connect failed) has no channelInactive:
    /// the promise must still complete, or NIO stops the test runner for leaking it.
    func handlerRemoved(context: ChannelHandlerContext) {
        done.fail(TestFailure("the connection closed before it was established"))
    }
}

/// Byte-exact comparison that reports sizes and the first difference instead of dumping
/// both arrays when it fails.
func sameBytes(_ received: [UInt8], _ expected: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    if received == expected { return true }
    let firstDifference = zip(received, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(received.count, expected.count)
    Issue.record("received \(received.count) bytes, expected \(expected.count); first difference at byte \(firstDifference)", sourceLocation: sourceLocation)
    return false
}
