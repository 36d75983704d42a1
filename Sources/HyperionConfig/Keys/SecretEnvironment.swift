#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The environment variables that hold secrets (`passphrase_env`, `env_var`, `key_env`).
///
/// A secret read from the environment is removed from it at once, so that no child
/// process (a shell hook, a `ProxyCommand`, a crash reporter) can inherit it. Injected so
/// that tests never touch the real environment.
public struct SecretEnvironment {
    /// The variable's value, or nil when it is not set.
    public var read: (String) -> String?
    /// Removes the variable.
    public var remove: (String) -> Void

    public init(read: @escaping (String) -> String?, remove: @escaping (String) -> Void) {
        self.read = read
        self.remove = remove
    }

    /// The process environment, through `getenv` and `unsetenv`. Neither is thread-safe:
    /// resolve keys at startup, before other threads exist.
    public static var process: SecretEnvironment {
        SecretEnvironment(
            read: { name in getenv(name).map { String(cString: $0) } },
            remove: { name in _ = unsetenv(name) }
        )
    }

    /// Reads `name` and removes it; nil (and nothing removed) when unset.
    func take(_ name: String) -> String? {
        guard let value = read(name) else { return nil }
        remove(name)
        return value
    }
}
