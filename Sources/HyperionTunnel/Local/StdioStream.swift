import HyperionMux
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// `hyperion-client connect`: one stream to a server's port joined to this process's
/// standard input and output, for ssh's `ProxyCommand`. The same relay as every local
/// connection, with a pipe channel in place of a socket: end of input is a half-close of
/// the stream (FIN), the stream's FIN closes standard output, so scp and rsync over ssh
/// finish cleanly; a reset on either side ends both.
public enum StdioStream {
    /// How the relay ended.
    public enum Ending: Sendable, Equatable {
        /// Both directions ended with an orderly close.
        case finished
        /// The stream or a pipe failed: a reset, or an error on a descriptor.
        case broken
    }

    /// Opens the stream (its answer first, so a refusal is known before any byte moves)
    /// and relays until both directions end. Fails with the stream's `TunnelError` when it
    /// could not be opened.
    /// Why `fd` cannot be relayed, if it cannot: NIO polls descriptors, and a regular file
    /// (stdin redirected from a file) cannot be polled.
    public static func problem(with fd: CInt, name: String) -> String? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return "\(name) is not open" }
        guard (info.st_mode & S_IFMT) != S_IFREG else {
            return "\(name) is a regular file, which cannot be polled; use a pipe (for example `cat FILE | hyperion-client connect ...`)"
        }
        return nil
    }

    public static func run(
        pool: ServerPool, port: UInt16, wait: TimeAmount, input: CInt, output: CInt, on loop: EventLoop, logger: Logger
    ) -> EventLoopFuture<Ending> {
        pool.openStream(port: port, preferring: loop, wait: wait, answerFirst: true).flatMap { opened in
            opened.answer.map { opened }
        }.flatMap { opened in
            NIOPipeBootstrap(group: loop)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .channelOption(.autoRead, value: false)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(InputHold()) }
                }
                .takingOwnershipOfDescriptors(input: input, output: output)
                .flatMap { pipe in
                    let ending = EndingRecorder()
                    return pipe.pipeline.addHandler(ending, position: .first).flatMap {
                        Relay.start(pipe, opened.channel)
                        return EventLoopFuture.andAllComplete([pipe.closeFuture, opened.channel.closeFuture], on: loop)
                    }.map { ending.broken ? Ending.broken : Ending.finished }
                }
                .flatMapErrorThrowing { error in
                    opened.channel.closeWithReset()
                    throw error
                }
        }
    }

    /// Notes an error on the pipe channel: a descriptor that failed, or a reset the glue
    /// passed on from the stream (which closes the pipe with an error, not with EOF).
    private final class EndingRecorder: ChannelDuplexHandler, @unchecked Sendable {
        // @unchecked: touched only on the pipe channel's loop.
        typealias InboundIn = NIOAny
        typealias OutboundIn = NIOAny
        var broken = false

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            broken = true
            context.fireErrorCaught(error)
        }

        func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
            if event is YamuxStreamReset { broken = true }
            context.triggerUserOutboundEvent(event, promise: promise)
        }
    }
}
