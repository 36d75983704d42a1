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

/// Awaits `body`, failing with `what` if it takes longer than `limit`.
func withTimeout<T: Sendable>(_ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { tasks in
        tasks.addTask { try await body() }
        tasks.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        guard let first = try await tasks.next(), let value = first else {
            tasks.cancelAll()
            throw TestFailure("\(what): nothing within \(limit)")
        }
        tasks.cancelAll()
        return value
    }
}
