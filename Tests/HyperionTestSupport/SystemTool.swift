import Foundation

/// Absolute paths of the system programs the SPA end-to-end tests drive.
///
/// The distribution's directories come first: `ip netns exec` hands the program to
/// execvp, and a version-manager shim found earlier on PATH (pyenv's python3) may depend on
/// environment the test runner does not pass on.
enum SystemTool {
    static let standardDirectories = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"]

    static func path(_ name: String) -> String? {
        for directory in standardDirectories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        return TestEnvironment.which(name)
    }

    static var ip: String { path("ip") ?? "/usr/sbin/ip" }
    static var python3: String { path("python3") ?? "/usr/bin/python3" }
}
