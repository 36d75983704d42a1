import NIOCore

/// Echoes what it reads; after the peer's FIN, finishes its side too (half-closure on).
final class EchoHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let install: @Sendable (Channel) -> EventLoopFuture<Void> = { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.syncOptions!.setOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            try channel.pipeline.syncOperations.addHandler(EchoHandler())
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.inputClosed) = event as? ChannelEvent {
            context.close(mode: .output, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Records what a stream channel receives and what happens to it.
///
/// `@unchecked Sendable`: the tests use it on the embedded event loop (their own thread) only.
final class Recorder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    var received = ByteBuffer()
    var reads = 0
    var events: [ChannelEvent] = []
    var errors: [Error] = []
    var writabilityChanges: [Bool] = []
    var isActive = false
    var wasInactive = false

    /// An initializer that installs `self` (and optionally turns half-closure on).
    func installer(halfClosure: Bool = false, autoRead: Bool = true) -> @Sendable (Channel) -> EventLoopFuture<Void> {
        { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.syncOptions!.setOption(ChannelOptions.allowRemoteHalfClosure, value: halfClosure)
                try channel.syncOptions!.setOption(ChannelOptions.autoRead, value: autoRead)
                try channel.pipeline.syncOperations.addHandler(self)
            }
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.isActive = true
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.wasInactive = true
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = Self.unwrapInboundIn(data)
        self.reads += 1
        self.received.writeBuffer(&bytes)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        self.writabilityChanges.append(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent { self.events.append(event) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        self.errors.append(error)
    }
}

extension ByteBuffer {
    /// `count` pseudo-random bytes from a seeded generator, so failures reproduce.
    static func random(count: Int, seed: UInt64) -> ByteBuffer {
        var generator = SplitMix64(seed: seed)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(count)
        var remaining = count
        while remaining >= 8 {
            buffer.writeInteger(generator.next())
            remaining -= 8
        }
        for _ in 0..<remaining { buffer.writeInteger(UInt8(truncatingIfNeeded: generator.next())) }
        return buffer
    }
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The server's streams as its initializer saw them.
///
/// `@unchecked Sendable`: the tests use it on the embedded event loop (their own thread) only.
final class StreamLog: @unchecked Sendable {
    var channels: [Channel] = []
    var recorders: [Recorder] = []

    func installer(halfClosure: Bool = false, autoRead: Bool = true) -> @Sendable (Channel) -> EventLoopFuture<Void> {
        { channel in
            let recorder = Recorder()
            self.channels.append(channel)
            self.recorders.append(recorder)
            return recorder.installer(halfClosure: halfClosure, autoRead: autoRead)(channel)
        }
    }
}

/// Records user events on the connection's pipeline, after the multiplexer.
final class SessionEventRecorder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = Never
    var events: [Any] = []

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        self.events.append(event)
    }
}

/// The result of a future on the embedded loop, without waiting.
func outcome<Value>(of future: EventLoopFuture<Value>) -> Result<Value, Error>? {
    let box = ResultBox<Value>()
    future.whenComplete { box.result = $0 }
    return box.result
}

private final class ResultBox<Value>: @unchecked Sendable {
    var result: Result<Value, Error>?
}
