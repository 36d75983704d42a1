import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blocks the calling thread until SIGINT or SIGTERM arrives, and returns which one.
///
/// The default actions are replaced by dispatch sources so that the program can shut down
/// in order (stop accepting, drain, exit 0) instead of dying mid-write.
public enum TerminationSignal {
    public static func wait() -> Int32 {
        let received = SignalBox()
        let semaphore = DispatchSemaphore(value: 0)
        let queue = DispatchQueue(label: "hyperion.signals")
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler {
                received.set(signalNumber)
                semaphore.signal()
            }
            source.resume()
            sources.append(source)
        }
        semaphore.wait()
        sources.forEach { $0.cancel() }
        // A second Ctrl-C during the orderly shutdown ends the program at once.
        signal(SIGINT, SIG_DFL)
        return received.value
    }
}

private final class SignalBox: @unchecked Sendable {
    // @unchecked: written once on the signal queue before the semaphore is signalled,
    // read after the wait returns; the semaphore orders the two.
    private(set) var value: Int32 = 0
    func set(_ number: Int32) { value = number }
}
