import NIOConcurrencyHelpers
import NIOCore

/// The server's one `ReplayCache`, shared by the connections of every event loop.
final class ReplayGuard: Sendable {
    private let cache: NIOLockedValueBox<ReplayCache>

    init(capacity: Int = 4096, maximumAge: TimeAmount = .minutes(10)) {
        cache = NIOLockedValueBox(ReplayCache(capacity: capacity, maximumAge: maximumAge))
    }

    /// Whether this message 1's ephemeral key was seen recently: checked before the DH work.
    func isReplay(message1: [UInt8]) -> Bool {
        guard let key = ReplayCache.key(ofMessage1: message1) else { return false }
        return cache.withLockedValue { $0.contains(key, now: .now()) }
    }

    /// Remembers the ephemeral key of a message 1 that decrypted and named an allowlisted
    /// admin; false if another connection remembered it first (a replay that raced it).
    func remember(message1: [UInt8]) -> Bool {
        guard let key = ReplayCache.key(ofMessage1: message1) else { return true }
        return cache.withLockedValue { $0.insert(key, now: .now()) }
    }
}
