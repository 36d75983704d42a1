import NIOCore
import NIOPosix

/// Small TCP services on 127.0.0.1 that the tunnel forwards to, run inside the test.
enum LoopbackService {
    /// Echoes every byte; when the peer half-closes, finishes writing and half-closes too.
    static func echo(group: EventLoopGroup) async throws -> Channel {
        try await start(group: group) { EchoHandler() }
    }

    /// Reads until the peer half-closes, then sends everything back reversed and closes:
    /// a reply that exists only after the client has shut down its write side.
    static func reverse(group: EventLoopGroup) async throws -> Channel {
        try await start(group: group) { ReverseHandler() }
    }

    /// Writes `greeting` to each connection and closes it at once: the service ends the
    /// connection, so the tunnel closes the local connection before the local app does.
    static func greeter(_ greeting: [UInt8], group: EventLoopGroup) async throws -> Channel {
        try await start(group: group) { GreetHandler(greeting: greeting) }
    }

    private static func start(group: EventLoopGroup, handler: @escaping @Sendable () -> ChannelHandler & Sendable) async throws -> Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // Hundreds of streams dial at once; on a loaded machine NIO's default backlog
            // (256) overflows, and a dial that outlasts the server's dial timeout fails a
            // stream for a reason that is not the tunnel's.
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { $0.pipeline.addHandler(handler()) }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }
}

private final class EchoHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    /// The output is shut only once everything echoed is written: NIO makes a half-close
    /// of a socket whose input already ended a full close, which would drop pending writes.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent {
            let channel = context.channel
            context.writeAndFlush(NIOAny(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                channel.close(mode: .output, promise: nil)
            }
        }
    }
}

private final class ReverseHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: one instance per connection, used on that connection's loop only.
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var received: [UInt8] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received.append(contentsOf: unwrapInboundIn(data).readableBytesView)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent {
            let channel = context.channel
            let reply = channel.allocator.buffer(bytes: received.reversed())
            context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }
}

private final class GreetHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let greeting: [UInt8]

    init(greeting: [UInt8]) { self.greeting = greeting }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        channel.writeAndFlush(channel.allocator.buffer(bytes: greeting)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
