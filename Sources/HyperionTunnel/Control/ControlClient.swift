import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The commands' side of the control socket: one request, its reply line.
public enum ControlClient {
    public enum Failure: Error, Equatable, Sendable {
        /// No socket file: no daemon.
        case notRunning
        /// A socket file that nobody answers on: a daemon that died without cleaning up.
        case stale
        /// The socket exists but this user may not open it.
        case permissionDenied
        /// Anything else: the daemon did not answer properly.
        case failed(String)
    }

    /// Sends `command` to the daemon at `path` and returns its reply line.
    public static func send(_ command: ControlCommand, to path: String, timeout: TimeAmount = .seconds(10)) throws(Failure) -> [UInt8] {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let reply = group.next().makePromise(of: [UInt8].self)
        let channel: Channel
        do {
            channel = try ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ReplyCollector(reply: reply))
                    }
                }
                .connect(unixDomainSocketPath: path).wait()
        } catch {
            reply.fail(error)
            switch (error as? IOError)?.errnoCode {
            case ENOENT: throw .notRunning
            case ECONNREFUSED: throw .stale
            case EACCES, EPERM: throw .permissionDenied
            default: throw .failed("cannot connect to \(path): \(error)")
            }
        }
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            reply.fail(ControlProtocolError("no reply within \(timeout.nanoseconds / 1_000_000_000) s"))
        }
        do {
            let request = try ControlCoding.line(ControlRequest(command))
            channel.writeAndFlush(ByteBuffer(bytes: request), promise: nil)
            let line = try reply.futureResult.wait()
            timer.cancel()
            channel.close(promise: nil)
            return line
        } catch {
            timer.cancel()
            channel.close(promise: nil)
            throw .failed("\(error)")
        }
    }
}

/// Reads one bounded reply line.
private final class ReplyCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let reply: EventLoopPromise<[UInt8]>
    private var reader = ControlLineReader(limit: ControlLimits.maximumReplyBytes)

    init(reply: EventLoopPromise<[UInt8]>) { self.reply = reply }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            if let line = try reader.feed(unwrapInboundIn(data).readableBytesView) { reply.succeed(line) }
        } catch {
            reply.fail(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        reply.fail(ControlProtocolError("the daemon closed the connection without a reply"))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        reply.fail(error)
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension ReplyCollector: Sendable {}
