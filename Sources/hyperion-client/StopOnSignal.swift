import HyperionCommandLine
import Logging
import NIOCore
import NIOPosix

/// How `run` and `tun` end: the first SIGINT or SIGTERM stops new connections and starts the
/// drain, a second ends the drain at once; then the event loops shut down.
enum StopOnSignal {
    typealias Shutdown = (_ loop: EventLoop, _ drainTimeout: TimeAmount, _ cutShort: EventLoopFuture<Void>) -> EventLoopFuture<Void>

    static func wait(
        for signals: TerminationSignals, group: MultiThreadedEventLoopGroup, drainTimeout: Duration, stopping: String, logger: Logger,
        shutdown: Shutdown
    ) {
        let signalNumber = signals.wait()
        logger.notice("received \(TerminationSignals.name(signalNumber)); stopping: \(stopping)")
        SystemdNotify.stopping()
        let loop = group.next()
        let cutShort = loop.makePromise(of: Void.self)
        let cut = DrainCut(cut: { cutShort.succeed(()) }, finished: { cutShort.fail(DrainOver()) })
        signals.onSecondSignal { second in
            if cut.cut() { logger.notice("received \(TerminationSignals.name(second)) again: ending the drain now") }
        }
        try? shutdown(loop, TimeAmount(drainTimeout), cutShort.futureResult).wait()
        cut.finish()
        try? group.syncShutdownGracefully()
        logger.notice("stopped")
    }
}
