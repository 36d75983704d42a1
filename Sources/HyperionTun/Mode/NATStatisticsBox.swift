#if os(Linux)
import HyperionNAT
import Synchronization

/// The NAT's counters, and the fast path's when it is on, as the packet thread last
/// published them, for any thread to read.
final class NATStatisticsBox: Sendable {
    private let value = Mutex<(nat: NATStatistics, fastPath: FastPathStatistics?)?>(nil)

    func publish(_ statistics: NATStatistics, fastPath: FastPathStatistics?) {
        value.withLock { $0 = (statistics, fastPath) }
    }

    var latest: NATStatistics? { value.withLock { $0?.nat } }

    var latestFastPath: FastPathStatistics? { value.withLock { $0?.fastPath } }
}
#endif
