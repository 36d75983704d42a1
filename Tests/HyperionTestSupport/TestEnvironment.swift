import Foundation
import Testing

/// Where the binaries under test are, and what this machine offers.
///
/// A test that needs something missing (root, sshd, the Go peer) skips with a message
/// when run locally, but fails under CI (`CI=true`): in CI a skip would hide a broken
/// feature.
enum TestEnvironment {
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    static var isRoot: Bool { geteuid() == 0 }

    /// The repository's root, for its scripts (this file is Tests/HyperionTestSupport/…).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The directory to run hyperion-server and hyperion-client from: where they were
    /// built, or copies the test user can execute (`TestUser.binaryDirectory`).
    static var binaryDirectory: String { TestUser.binaryDirectory }

    /// The directory with hyperion-server and hyperion-client: `HYPERION_BIN_DIR` (the test
    /// script points it at the build), else the directory of the test runner.
    static var builtBinaryDirectory: String {
        if let explicit = ProcessInfo.processInfo.environment["HYPERION_BIN_DIR"], !explicit.isEmpty { return explicit }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // Inside an .xctest bundle on Darwin the runner sits deeper; walk up to the products.
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("hyperion-server").path), url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
        }
        return url.path
    }

    static var server: String { binaryDirectory + "/hyperion-server" }
    static var client: String { binaryDirectory + "/hyperion-client" }

    /// The independent Go peer, built by interop/go-peer/build.sh (run from where the test
    /// user can execute it, like the binaries).
    static var goPeer: String? { builtGoPeer == nil ? nil : TestUser.goPeer }

    static var builtGoPeer: String? {
        let path = ProcessInfo.processInfo.environment["HYPERION_GO_PEER"] ?? ""
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// Returns true when `condition` holds. Otherwise records a failure under CI, or prints
    /// why the test is skipped, and returns false.
    static func require(_ condition: Bool, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        if condition { return true }
        if isCI {
            Issue.record("required under CI but missing: \(what)", sourceLocation: sourceLocation)
        } else {
            print("SKIPPED (not under CI): \(what)")
        }
        return false
    }

    static func which(_ tool: String) -> String? {
        // The test runner may run with a reduced PATH; the standard directories are always searched.
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in path + ["/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin"] {
            let path = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
