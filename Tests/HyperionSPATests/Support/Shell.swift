import Foundation
import Testing

/// Runs helper programs for the kernel-level tests: argv arrays, no shell, output captured
/// through files (a pipe could fill up and stall the child while we wait for it).
enum Shell {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var succeeded: Bool { status == 0 }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Runs `argv` to completion. `check` throws when it exits non-zero.
    @discardableResult
    static func run(_ argv: [String], environment: [String: String] = [:], check: Bool = true) throws -> Result {
        let process = try launch(argv, environment: environment)
        process.process.waitUntilExit()
        let result = Result(status: process.process.terminationStatus, stdout: process.stdout(), stderr: process.stderr())
        process.removeFiles()
        if check && !result.succeeded {
            throw Failure(description: "\(argv.joined(separator: " ")) exited \(result.status): \(result.stderr)\(result.stdout)")
        }
        return result
    }

    /// A started process whose output goes to temporary files.
    final class Launched: @unchecked Sendable {
        let process = Process()
        let stdoutURL: URL
        let stderrURL: URL

        init(stdoutURL: URL, stderrURL: URL) {
            self.stdoutURL = stdoutURL
            self.stderrURL = stderrURL
        }

        func stdout() -> String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
        func stderr() -> String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

        /// SIGTERM, then SIGKILL after `grace` seconds. (Children of the test runner
        /// inherit its blocked signal mask, SIGTERM included; only the probe, which waits
        /// for SIGTERM with sigtimedwait, reacts to it.)
        func terminate(grace: Double = 3) {
            if process.isRunning { process.terminate() }
            if !Shell.waitUntil(seconds: grace, { !process.isRunning }) { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        func removeFiles() {
            try? FileManager.default.removeItem(at: stdoutURL)
            try? FileManager.default.removeItem(at: stderrURL)
        }
    }

    static func launch(_ argv: [String], environment: [String: String] = [:]) throws -> Launched {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("spa-test-\(UUID().uuidString)")
        let launched = Launched(stdoutURL: base.appendingPathExtension("out"), stderrURL: base.appendingPathExtension("err"))
        _ = FileManager.default.createFile(atPath: launched.stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: launched.stderrURL.path, contents: nil)
        launched.process.executableURL = URL(fileURLWithPath: try resolve(argv[0]))
        launched.process.arguments = Array(argv.dropFirst())
        launched.process.environment = ["PATH": path, "LC_ALL": "C"].merging(environment) { $1 }
        launched.process.standardInput = FileHandle.nullDevice
        launched.process.standardOutput = try FileHandle(forWritingTo: launched.stdoutURL)
        launched.process.standardError = try FileHandle(forWritingTo: launched.stderrURL)
        try launched.process.run()
        return launched
    }

    static func resolve(_ program: String) throws -> String {
        if program.contains("/") { return program }
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(program)") {
            return "\(directory)/\(program)"
        }
        throw Failure(description: "\(program) is not installed")
    }

    /// Polls `condition` every 50 ms until it holds or `seconds` pass; true if it held.
    static func waitUntil(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        } while Date() < deadline
        return try condition()
    }
}

/// Kernel-level tests need root, `ip` and `nft`. Without them they skip with a message;
/// with CI=true a skip is recorded as a failure, so CI cannot pass by skipping.
enum KernelTestRequirement {
    static func met(_ test: String) -> Bool {
        var missing: [String] = []
        if geteuid() != 0 { missing.append("root") }
        for tool in ["ip", "nft", "python3"] where (try? Shell.resolve(tool)) == nil { missing.append(tool) }
        guard !missing.isEmpty else { return true }
        let message = "skipping \(test): it needs \(missing.joined(separator: ", "))"
        print(message)
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("\(message), and CI=true does not allow skips")
        }
        return false
    }
}
