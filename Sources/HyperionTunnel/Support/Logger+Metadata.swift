import Logging

extension Logger {
    /// A copy of this logger with one more metadata entry; handy where a closure must
    /// capture an immutable logger.
    func with(metadata key: String, _ value: String) -> Logger {
        var copy = self
        copy[metadataKey: key] = "\(value)"
        return copy
    }
}
