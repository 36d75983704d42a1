import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// What every listening socket of ours gets: a pause after a failed accept, and a log line.
///
/// Out of file descriptors, `accept` fails with EMFILE while the connection stays queued,
/// so the listening socket stays readable. NIO 2.101 keeps its read pending after such a
/// failure, so the loop retries at once, for ever: a core at 100 % and nothing logged.
/// (Its AcceptBackoffHandler cannot help: it delays `read()` calls, and none comes.)
/// This handler turns autoRead off for `pause`, which takes the socket out of the poll
/// set, then on again; accepting recovers by itself once descriptors are free.
enum ListenerGuard {
    static let pause = TimeAmount.milliseconds(500)
    /// At most one log line per this interval while accepts keep failing.
    static let logInterval = TimeAmount.seconds(10)

    static func install(on channel: Channel, what: String, logger: Logger) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(AcceptFailurePause(what: what, logger: logger))
        }
    }
}

/// Pauses accepting after a failed accept and logs it, rate-limited, naming the likely cause.
final class AcceptFailurePause: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let what: String
    private let logger: Logger
    private var lastLogged: NIODeadline?
    private var suppressed = 0
    private var resume: Scheduled<Void>?

    init(what: String, logger: Logger) {
        self.what = what
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let ioError = error as? IOError else {
            context.fireErrorCaught(error)
            return
        }
        pauseAccepting(context: context)
        report(ioError)
    }

    func channelInactive(context: ChannelHandlerContext) {
        resume?.cancel()
        resume = nil
        context.fireChannelInactive()
    }

    private func pauseAccepting(context: ChannelHandlerContext) {
        guard resume == nil else { return }
        let channel = context.channel
        try? channel.setOptionNow(.autoRead, value: false)
        resume = context.eventLoop.assumeIsolated().scheduleTask(in: ListenerGuard.pause) { [weak self] in
            self?.resume = nil
            try? channel.setOptionNow(.autoRead, value: true)
        }
    }

    private func report(_ ioError: IOError) {
        let now = NIODeadline.now()
        if let lastLogged, now - lastLogged < ListenerGuard.logInterval {
            suppressed += 1
            return
        }
        let hint = ioError.errnoCode == EMFILE || ioError.errnoCode == ENFILE
            ? "; out of file descriptors: raise the open-files limit (ulimit -n) or carry fewer streams" : ""
        let repeats = suppressed > 0 ? " (\(suppressed) more since the last report)" : ""
        logger.warning("cannot accept a connection on the \(what)\(hint); pausing accepts for \(ListenerGuard.pause.milliseconds) ms\(repeats): \(ioError)")
        lastLogged = now
        suppressed = 0
    }
}

@available(*, unavailable)
extension AcceptFailurePause: Sendable {}
