import Logging

/// Log output for both executables: stderr, quiet by default (notice), chattier with
/// `--log-level` or the `HYPERION_LOG` environment variable (the option wins). Under
/// systemd, where stderr is the journal, lines carry their priority and no timestamp
/// (`JournalLogHandler`).
public enum LogSetup {
    public static let variable = "HYPERION_LOG"
    public static let defaultLevel = Logger.Level.notice

    /// Parses a level name; the error lists the valid names.
    public static func level(named name: String, from origin: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: name.lowercased()) else {
            let valid = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw CommandFailure("\(origin) is \"\(name)\"; use one of: \(valid)")
        }
        return level
    }

    /// Installs the stderr handler once per process and returns the root logger.
    public static func bootstrap(label: String, option: String?, environment: [String: String]) throws -> Logger {
        let level: Logger.Level
        if let option {
            level = try self.level(named: option, from: "--log-level")
        } else if let fromEnvironment = environment[variable], !fromEnvironment.isEmpty {
            level = try self.level(named: fromEnvironment, from: "\(variable)")
        } else {
            level = defaultLevel
        }
        let journal = JournalLogHandler.stderrIsJournal(environment)
        LoggingSystem.bootstrap { label in
            if journal {
                var handler = JournalLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}
