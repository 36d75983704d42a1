import Foundation
import Testing
@testable import HyperionConfig

/// Where the daemons keep their socket, pid file and log (issue 18, item 2).
@Suite struct RuntimeDirectoryTests {
    func directory(_ variables: [String: String], uid: uid_t) throws -> RuntimeDirectory {
        try RuntimeDirectory.current(environment: { variables[$0] }, effectiveUID: uid)
    }

    @Test func theOverrideWinsThenRootThenXDG() throws {
        #expect(try directory(["HYPERION_RUNTIME_DIR": "/tmp/h", "XDG_RUNTIME_DIR": "/run/user/1000"], uid: 0).path == "/tmp/h")
        #expect(try directory(["XDG_RUNTIME_DIR": "/run/user/0"], uid: 0).path == "/run/hyperion")
        #expect(try directory(["XDG_RUNTIME_DIR": "/run/user/1000"], uid: 1000).path == "/run/user/1000/hyperion")
        #expect(try directory(["HYPERION_RUNTIME_DIR": "", "XDG_RUNTIME_DIR": "/run/user/1000"], uid: 1000).path == "/run/user/1000/hyperion")
    }

    @Test func anOrdinaryUserWithoutXDGIsToldWhatToSet() {
        #expect {
            try directory([:], uid: 1000)
        } throws: { error in
            (error as? ConfigError)?.message.contains("HYPERION_RUNTIME_DIR") == true
        }
    }

    @Test func filesAreNamedByRole() {
        let directory = RuntimeDirectory(path: "/run/hyperion")
        #expect(directory.socket("client") == "/run/hyperion/client.sock")
        #expect(directory.pidFile("server") == "/run/hyperion/server.pid")
        #expect(directory.logFile("client") == "/run/hyperion/client.log")
    }

    @Test func prepareMakesIt0700AndNarrowsAWideOne() throws {
        let base = NSTemporaryDirectory() + "hyperion-runtime-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let directory = RuntimeDirectory(path: base + "/nested/run")
        try directory.prepare()
        #expect(try mode(directory.path) == 0o700)
        chmod(directory.path, 0o755)
        try directory.prepare()
        #expect(try mode(directory.path) == 0o700)
        // A file where the directory should be is refused, naming the override.
        let file = RuntimeDirectory(path: base + "/file")
        FileManager.default.createFile(atPath: file.path, contents: Data())
        #expect { try file.prepare() } throws: { ($0 as? ConfigError)?.message.contains("HYPERION_RUNTIME_DIR") == true }
    }

    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}
