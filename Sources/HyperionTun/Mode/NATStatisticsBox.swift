#if os(Linux)
import HyperionNAT
import Synchronization

/// The NAT's counters as the packet thread last published them, for any thread to read.
final class NATStatisticsBox: Sendable {
    private let value = Mutex<NATStatistics?>(nil)

    func publish(_ statistics: NATStatistics) { value.withLock { $0 = statistics } }

    var latest: NATStatistics? { value.withLock { $0 } }
}
#endif
