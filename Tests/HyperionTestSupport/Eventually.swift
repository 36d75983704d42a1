import Synchronization

/// Polls `condition` until it holds or `timeout` passes; true if it held. For states the
/// kernel reaches on its own clock, such as a set element's timeout.
func eventually(timeout: Duration, every interval: Duration = .milliseconds(100), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}

extension String {
    /// How often `text` occurs, e.g. a log line.
    func occurrences(of text: String) -> Int { components(separatedBy: text).count - 1 }
}

/// Awaits `body`, failing with `what` if it takes longer than `limit`. The wait ends at
/// the limit even when `body` cannot be cancelled (an EventLoopFuture's `get()`), which a
/// task group would wait for: `body` is then left to finish on its own.
func withTimeout<T: Sendable>(_ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = OnceBox<Result<T, Error>>()
    return try await withCheckedThrowingContinuation { continuation in
        outcome.onFirst { continuation.resume(with: $0) }
        Task {
            do { outcome.offer(.success(try await body())) } catch { outcome.offer(.failure(error)) }
        }
        Task {
            try? await Task.sleep(for: limit)
            outcome.offer(.failure(TestFailure("\(what): nothing within \(limit)")))
        }
    }
}

/// Hands the first value offered to its consumer and drops the rest.
final class OnceBox<Value: Sendable>: Sendable {
    private let state = Mutex<(consumer: (@Sendable (Value) -> Void)?, done: Bool)>((nil, false))

    func onFirst(_ consumer: @escaping @Sendable (Value) -> Void) {
        state.withLock { $0.consumer = consumer }
    }

    func offer(_ value: Value) {
        let consumer = state.withLock { state -> (@Sendable (Value) -> Void)? in
            guard !state.done, let consumer = state.consumer else { return nil }
            state.done = true
            return consumer
        }
        consumer?(value)
    }
}
