import NIOCore

/// Exponential backoff with jitter for reconnecting a pool slot: 250 ms doubling up to
/// 15 s. Each delay is drawn from [d/2, d], so a fleet of clients that lost the same
/// server does not reconnect in lockstep.
struct ReconnectBackoff {
    static let initialDelay = TimeAmount.milliseconds(250)
    static let maximumDelay = TimeAmount.seconds(15)

    private var nextCeiling = initialDelay

    /// The delay before the next attempt; each call doubles the following one.
    mutating func nextDelay<R: RandomNumberGenerator>(using generator: inout R) -> TimeAmount {
        let ceiling = nextCeiling.nanoseconds
        nextCeiling = .nanoseconds(min(ceiling * 2, Self.maximumDelay.nanoseconds))
        return .nanoseconds(Int64.random(in: (ceiling / 2)...ceiling, using: &generator))
    }

    mutating func nextDelay() -> TimeAmount {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }

    /// After a success the next failure starts again from 250 ms.
    mutating func reset() { nextCeiling = Self.initialDelay }
}
