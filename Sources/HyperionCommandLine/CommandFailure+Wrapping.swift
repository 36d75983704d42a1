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

/// The process environment, for the log level and other non-secret settings.
public func currentEnvironment() -> [String: String] {
    ProcessInfo.processInfo.environment
}
