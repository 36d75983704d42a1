#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a running daemon keeps its control socket, pid file and log.
///
/// `$HYPERION_RUNTIME_DIR` if set; else `/run/hyperion` for root; else
/// `$XDG_RUNTIME_DIR/hyperion`. Made 0700 on first use, like the config directory.
public struct RuntimeDirectory: Sendable, Hashable {
    public var path: String

    public init(path: String) { self.path = path }

    /// The daemon's files, for `program` ("client" or "server").
    public func socket(_ program: String) -> String { path + "/\(program).sock" }
    public func pidFile(_ program: String) -> String { path + "/\(program).pid" }
    public func logFile(_ program: String) -> String { path + "/\(program).log" }

    public static func current(
        environment: (String) -> String? = { getenv($0).map { String(cString: $0) } }, effectiveUID: uid_t = geteuid()
    ) throws -> RuntimeDirectory {
        func variable(_ name: String) -> String? {
            environment(name).flatMap { $0.isEmpty ? nil : $0 }
        }
        if let chosen = variable("HYPERION_RUNTIME_DIR") { return RuntimeDirectory(path: chosen) }
        if effectiveUID == 0 { return RuntimeDirectory(path: "/run/hyperion") }
        if let xdg = variable("XDG_RUNTIME_DIR") { return RuntimeDirectory(path: xdg + "/hyperion") }
        throw ConfigError(
            .unreadable, "no runtime directory for the daemon's socket: XDG_RUNTIME_DIR is not set; set HYPERION_RUNTIME_DIR to a directory of yours"
        )
    }

    /// Makes the directory (0700) or checks it.
    public func prepare() throws {
        try PrivateDirectory.prepare(path, what: "the runtime directory", override: "HYPERION_RUNTIME_DIR")
    }
}
