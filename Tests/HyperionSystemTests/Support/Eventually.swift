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
