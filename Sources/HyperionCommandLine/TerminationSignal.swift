import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM, for an orderly shutdown that a second signal can cut short.
///
/// The default actions are replaced by dispatch sources so that the program can shut down
/// in order (stop accepting, drain, exit 0) instead of dying mid-write. The first signal
/// ends `wait()`; the second runs the handler given to `onSecondSignal` (end the drain at
/// once), and a third ends the process at once, for a shutdown that is stuck.
public final class TerminationSignals: @unchecked Sendable {
    // @unchecked: `count`, `handler` and `pending` are touched only on `queue`; `sources`
    // is set in init and only read afterwards.
    private let queue = DispatchQueue(label: "hyperion.signals")
    private let first = DispatchSemaphore(value: 0)
    private var sources: [DispatchSourceSignal] = []
    private var count = 0
    private var firstSignal: Int32 = 0
    private var handler: (@Sendable (Int32) -> Void)?
    private var pending: Int32?

    /// Takes over SIGINT and SIGTERM from now on.
    public init() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler { [unowned self] in self.received(signalNumber) }
            source.resume()
            sources.append(source)
        }
    }

    /// Blocks the calling thread until the first SIGINT or SIGTERM, and returns which one.
    public func wait() -> Int32 {
        first.wait()
        return queue.sync { firstSignal }
    }

    /// Runs `handler` on the second signal (at once if it has already come), on a queue of
    /// its own.
    public func onSecondSignal(_ handler: @escaping @Sendable (Int32) -> Void) {
        queue.async {
            if let pending = self.pending {
                self.pending = nil
                handler(pending)
            } else {
                self.handler = handler
            }
        }
    }

    /// "SIGINT" or "SIGTERM".
    public static func name(_ signalNumber: Int32) -> String {
        signalNumber == SIGINT ? "SIGINT" : signalNumber == SIGTERM ? "SIGTERM" : "signal \(signalNumber)"
    }

    private func received(_ signalNumber: Int32) {
        count += 1
        switch count {
        case 1:
            firstSignal = signalNumber
            first.signal()
        case 2:
            if let handler {
                self.handler = nil
                handler(signalNumber)
            } else {
                pending = signalNumber
            }
        default:
            // The shutdown the second signal asked to hurry is stuck: go now, as the
            // default action would have.
            _exit(128 + signalNumber)
        }
    }
}
