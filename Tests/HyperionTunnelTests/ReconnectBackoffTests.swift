import NIOCore
import Testing
@testable import HyperionTunnel

@Suite struct ReconnectBackoffTests {
    struct Counter: RandomNumberGenerator {
        var state: UInt64 = 0
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            return state
        }
    }

    @Test func doublesFrom250MillisecondsTo15SecondsWithJitterAndResets() {
        var backoff = ReconnectBackoff()
        var generator = Counter()
        var ceiling = Int64(250_000_000)
        for _ in 0..<12 {
            let delay = backoff.nextDelay(using: &generator).nanoseconds
            #expect(delay >= ceiling / 2 && delay <= ceiling, "delay \(delay) outside [\(ceiling / 2), \(ceiling)]")
            ceiling = min(ceiling * 2, 15_000_000_000)
        }
        #expect(backoff.nextDelay(using: &generator).nanoseconds <= 15_000_000_000)
        backoff.reset()
        #expect(backoff.nextDelay(using: &generator).nanoseconds <= 250_000_000)
    }
}
