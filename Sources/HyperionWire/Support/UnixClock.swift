#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time in whole Unix seconds, injectable so knock freshness and the replay
/// guard can be tested at any instant without waiting.
public struct UnixClock: Sendable {
    private let read: @Sendable () -> UInt64

    public init(_ read: @escaping @Sendable () -> UInt64) { self.read = read }

    public func now() -> UInt64 { read() }

    /// The system's real-time clock.
    public static let system = UnixClock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(max(0, spec.tv_sec))
    }

    /// A clock stopped at `seconds`.
    public static func fixed(_ seconds: UInt64) -> UnixClock { UnixClock { seconds } }
}
