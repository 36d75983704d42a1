import Synchronization

/// Counters of a running gate, for tests, status output and metrics.
public struct SPAStatistics: Hashable, Sendable, Codable {
    /// Frames that reached user space (the kernel filter passed them), outgoing excluded.
    public var framesReceived: UInt64 = 0
    /// Valid knocks, whether or not they were in their cooldown.
    public var knocksAccepted: UInt64 = 0
    /// Successful `nft add element` calls.
    public var firewallAdds: UInt64 = 0
    public var firewallFailures: UInt64 = 0
    /// Valid knocks that needed no firewall call because their source was in its cooldown.
    public var cooldownSkips: UInt64 = 0
    /// Frames the kernel dropped because the socket's receive buffer was full.
    public var kernelDrops: UInt64 = 0
    /// Refused frames by reason (the reason's description as key).
    public var rejections: [String: UInt64] = [:]

    public init() {}
}

/// The counters shared between the sniffer thread and whoever asks the gate.
final class StatisticsBox: Sendable {
    private let value = Mutex(SPAStatistics())

    var snapshot: SPAStatistics { value.withLock { $0 } }

    func update(_ body: (inout SPAStatistics) -> Void) { value.withLock { body(&$0) } }
}
