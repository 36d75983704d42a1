#if os(Linux)
import Foundation
import Testing
import HyperionProcess

@Suite struct ChildProcessTests {
    /// nft must not inherit the server's sockets (its tunnel port, its connections): a
    /// descriptor open without close-on-exec in the parent is closed in the child.
    @Test func theChildInheritsOnlyItsStandardDescriptors() throws {
        // No O_CLOEXEC, like many sockets; numbered high, so that the child's own next
        // descriptor (ls opening the directory) can never carry the same number.
        let opened = open("/dev/null", O_RDONLY)
        let leaked = dup2(opened, 100)
        close(opened)
        #expect(leaked == 100)
        defer { close(leaked) }
        let outcome = try ChildProcess.run("/bin/ls", ["/proc/self/fd"])
        let descriptors = Set(outcome.standardOutput.split(separator: "\n").compactMap { Int32($0) })
        #expect(!descriptors.contains(leaked), "the child still had descriptor \(leaked): \(descriptors.sorted())")
        // 0, 1 and 2, plus the one ls opened to read the directory.
        #expect(descriptors.count <= 4, "\(descriptors.sorted())")
    }

    @Test func passesArgumentsVerbatimWithoutAShell() throws {
        let outcome = try ChildProcess.run("/bin/echo", ["{", "a b", "$HOME;", "`x`", "}"])
        #expect(outcome.succeeded)
        #expect(outcome.standardOutput == "{ a b $HOME; `x` }\n")
    }

    /// The server's environment may hold the PSK (psk_env); nft gets a fixed minimal one.
    @Test func childrenGetAMinimalEnvironment() throws {
        setenv("HYPERION_SPA_SECRET_CANARY", "do-not-leak", 1)
        defer { unsetenv("HYPERION_SPA_SECRET_CANARY") }
        let outcome = try ChildProcess.run("/usr/bin/env", [])
        #expect(outcome.standardOutput.split(separator: "\n").sorted() == ["LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"])
    }

    @Test func reportsFailureAndCapturesStandardError() throws {
        let outcome = try ChildProcess.run("/bin/ls", ["/nonexistent-hyperion-path"])
        #expect(!outcome.succeeded)
        #expect(outcome.exitStatus == 2)
        #expect(outcome.standardError.contains("nonexistent-hyperion-path"))
        #expect(throws: ChildProcess.Failure.self) { try ChildProcess.run("/nonexistent/nft", []) }
    }

    @Test func boundsTheCapturedOutput() throws {
        let outcome = try ChildProcess.run("/usr/bin/head", ["-c", "200000", "/dev/zero"])
        #expect(outcome.succeeded)
        #expect(outcome.standardOutput.utf8.count == 64 << 10, "the default limit")
        let wider = try ChildProcess.run("/usr/bin/head", ["-c", "200000", "/dev/zero"], captureLimit: 100_000)
        #expect(wider.standardOutput.utf8.count == 100_000)
    }

    @Test func killsAChildThatOverrunsItsDeadline() throws {
        let start = Date()
        let outcome = try ChildProcess.run("/bin/sleep", ["10"], timeoutMilliseconds: 300)
        #expect(Date().timeIntervalSince(start) < 3)
        #expect(outcome.exitStatus == nil && !outcome.succeeded)
        #expect(outcome.standardError.contains("killed after 300 ms"))
    }
}
#endif
