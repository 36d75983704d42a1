#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the configs live when `--config` is not given.
///
/// The directory is `$HYPERION_HOME` if set, else `$XDG_CONFIG_HOME/hyperion`, else
/// `~/.config/hyperion`. Empty variables count as unset, as the XDG spec says.
public struct HyperionPaths: Sendable, Hashable {
    public var configDirectory: String

    public init(configDirectory: String) {
        self.configDirectory = configDirectory
    }

    /// `<dir>/server.toml`
    public var serverConfig: String { configDirectory + "/server.toml" }
    /// `<dir>/client.toml`
    public var clientConfig: String { configDirectory + "/client.toml" }

    /// The paths for this environment. `environment` reads a variable (injectable for
    /// tests); the home directory falls back to the password database when `HOME` is unset.
    public static func current(
        environment: (String) -> String? = { getenv($0).map { String(cString: $0) } }
    ) throws -> HyperionPaths {
        func variable(_ name: String) -> String? {
            environment(name).flatMap { $0.isEmpty ? nil : $0 }
        }
        if let home = variable("HYPERION_HOME") {
            return HyperionPaths(configDirectory: home)
        }
        if let xdg = variable("XDG_CONFIG_HOME") {
            return HyperionPaths(configDirectory: xdg + "/hyperion")
        }
        guard let home = variable("HOME") ?? passwordDatabaseHome() else {
            throw ConfigError(.unreadable, "cannot find the home directory to look for the config; set HYPERION_HOME or pass --config")
        }
        return HyperionPaths(configDirectory: home + "/.config/hyperion")
    }

    private static func passwordDatabaseHome() -> String? {
        guard let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir else { return nil }
        let home = String(cString: directory)
        return home.isEmpty ? nil : home
    }
}
