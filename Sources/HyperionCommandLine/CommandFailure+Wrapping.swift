import Foundation

extension CommandFailure {
    /// Runs `body`, turning any error into a `CommandFailure` with the error's own message,
    /// so the user sees "Error: <what is wrong and what to do>" and no Swift type names.
    public static func wrapping<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

/// The environment's non-secret settings (the log level, the journal stream), read one by one: a copy of the
/// whole environment would also copy the secrets it may hold (`env_var`,
/// `passphrase_env`), which are wiped after they are read and should exist nowhere else.
public func currentEnvironment() -> [String: String] {
    var settings: [String: String] = [:]
    for name in [LogSetup.variable, "JOURNAL_STREAM"] {
        if let value = getenv(name) { settings[name] = String(cString: value) }
    }
    return settings
}
