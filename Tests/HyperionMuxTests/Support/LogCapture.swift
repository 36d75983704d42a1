import Logging
import Synchronization

/// A logger whose lines the test can read back (level and message).
final class LogCapture: Sendable {
    struct Line: Hashable {
        let level: Logger.Level
        let message: String
    }

    private let captured = Mutex<[Line]>([])

    var lines: [Line] { self.captured.withLock { $0 } }

    var logger: Logger {
        Logger(label: "capture") { _ in Handler(capture: self) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            self.capture.captured.withLock { $0.append(Line(level: event.level, message: "\(event.message)")) }
        }
    }
}
