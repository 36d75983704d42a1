import FuzzSupport
import HyperionMux
import HyperionWire
import Logging
import NIOCore
import NIOEmbedded

// A yamux session (frame splitter, session state machine, stream channels) fed arbitrary
// frame bytes from a peer, as the server (which accepts streams and echoes them) or the
// client (which refuses them). The input is a script: byte chunks from the peer, streams
// opened by our side, pings, go away, and time passing (ping and accept timeouts). What it
// checks: no crash or precondition, the stream count within its bound, and that everything
// the session writes is well-formed yamux whose go away, if any, says "protocol error" or
// "normal".

/// Small limits, so that "too many streams" and the accept backlog are reached quickly.
func configuration(_ role: YamuxRole) -> YamuxConfiguration {
    var configuration = YamuxConfiguration(role: role)
    configuration.measuresRoundTripTimeOnStart = false
    configuration.maximumStreams = 6
    configuration.acceptBacklog = 3
    configuration.maximumUnacknowledgedOutbound = 3
    configuration.initialWindow = 1024
    configuration.maximumReceiveWindow = 8192
    configuration.maximumStartWindow = 4096
    configuration.maximumDataFrameLength = 512
    configuration.maximumOutstandingPings = 2
    return configuration
}

/// Echoes what a stream receives and closes its side when the peer's side closes.
final class Echo: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let install: @Sendable (Channel) -> EventLoopFuture<Void> = { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.syncOptions!.setOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            try channel.pipeline.syncOperations.addHandler(Echo())
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.inputClosed) = event as? ChannelEvent {
            context.close(mode: .output, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// Swallows what the multiplexer lets through (errors), so that nothing reaches the end
/// of the pipeline and EmbeddedChannel does not rethrow it from the next write.
final class Sink: ChannelInboundHandler, Sendable {
    typealias InboundIn = Never
    func errorCaught(context: ChannelHandlerContext, error: Error) {}
}

let silent = Logger(label: "fuzz-yamux", factory: { _ in SwiftLogNoOpLogHandler() })

/// Everything the session wrote so far, which must parse as yamux frames.
func checkOutput(_ channel: EmbeddedChannel, into written: inout ByteBuffer) {
    while let write = try? channel.readOutbound(as: ByteBuffer.self) {
        var write = write
        written.writeBuffer(&write)
    }
    let parser = YamuxFrameParser(maximumDataLength: .max)
    do {
        while let frame = try parser.nextFrame(from: &written) {
            precondition(frame.header.type != .data || Int(frame.header.length) <= 512,
                         "a data frame longer than maximumDataFrameLength")
            if frame.header.type == .goAway {
                precondition(frame.header.length == YamuxHeader.GoAwayCode.protocolError.rawValue
                             || frame.header.length == YamuxHeader.GoAwayCode.normal.rawValue,
                             "go away with code \(frame.header.length)")
            }
        }
    } catch {
        preconditionFailure("the session wrote bytes that are not yamux: \(error)")
    }
}

@main enum Main {
    static func main() { FuzzDriver.run(fuzz) }
}

func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = FuzzReader(data, size)
    let isServer = reader.u8() & 1 == 0
    let loop = EmbeddedEventLoop()
    let channel = EmbeddedChannel(loop: loop)
    let limits = configuration(isServer ? .server : .client)
    let multiplexer = YamuxMultiplexer(
        configuration: limits, channel: channel, logger: silent,
        inboundStreamInitializer: isServer ? Echo.install : nil
    )
    try! channel.pipeline.syncOperations.addHandlers([multiplexer, Sink()])
    try! channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    var written = ByteBuffer()
    var steps = 0
    while !reader.atEnd, channel.isActive, steps < 64 {
        steps += 1
        let operation = reader.u8()
        switch operation % 8 {
        case 0...4:
            // Peer bytes, in a chunk of fuzzed length: frames split anywhere.
            let chunk = reader.take(Int(reader.u8()) + 1)
            try? channel.writeInbound(ByteBuffer(bytes: chunk))
        case 5:
            let payload = reader.take(Int(reader.u8() % 64))
            multiplexer.createStream(promise: nil) { stream in
                stream.eventLoop.makeCompletedFuture {
                    try stream.pipeline.syncOperations.addHandler(Echo())
                    if !payload.isEmpty {
                        stream.writeAndFlush(ByteBuffer(bytes: payload), promise: nil)
                    }
                }
            }
        case 6:
            switch operation >> 4 & 3 {
            case 0: multiplexer.ping(promise: loop.makePromise(of: TimeAmount.self))
            case 1: multiplexer.announce(opaque: reader.u32())
            case 2: multiplexer.goAway(code: .normal)
            default: channel.close(promise: nil)
            }
        default:
            loop.advanceTime(by: .milliseconds(Int64(reader.u16()) * 10))
        }
        loop.run()
        precondition(multiplexer.openStreamCount <= limits.maximumStreams, "more streams than maximumStreams")
        checkOutput(channel, into: &written)
    }
    _ = try? channel.finish()
    loop.run()
    try? loop.syncShutdownGracefully()
    return 0
}
