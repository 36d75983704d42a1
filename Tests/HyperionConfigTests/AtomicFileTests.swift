import Foundation
import Testing
@testable import HyperionConfig

/// Config files are replaced whole or not at all, and the config directory is the user's
/// alone (issue 18, item 2).
@Suite struct AtomicFileTests {
    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "hyperion-atomic-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }

    func entries(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    @Test func aReplacementIsWholeWithTheModeAskedForWhateverTheUmask() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let target = directory + "/client.toml"
        try "old\n".write(toFile: target, atomically: false, encoding: .utf8)
        let previous = umask(0)
        defer { umask(previous) }
        try AtomicFileSet.replace(target, with: "new text\n", mode: 0o600, what: "the config")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new text\n")
        #expect(try mode(target) == 0o600)
        #expect(try entries(directory) == ["client.toml"], "no temporary file is left")
    }

    /// The key and the config are staged together: when the second cannot be written, the
    /// first is not renamed either, and nothing new is left in the directory.
    @Test func aFailedStageChangesNothing() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "old key\n".write(toFile: directory + "/admin.key", atomically: false, encoding: .utf8)
        var files = AtomicFileSet()
        try files.stage("new key\n", at: directory + "/admin.key", mode: 0o600, what: "the key file")
        #expect(throws: ConfigError.self) {
            try files.stage("config", at: directory + "/missing/client.toml", mode: 0o600, what: "the config")
        }
        files.discard()
        #expect(try String(contentsOfFile: directory + "/admin.key", encoding: .utf8) == "old key\n")
        #expect(try entries(directory) == ["admin.key"])
    }

    @Test func stagedFilesLandTogetherOnCommit() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var files = AtomicFileSet()
        try files.stage("key\n", at: directory + "/server.key", mode: 0o600, what: "the key file")
        try files.stage("config\n", at: directory + "/server.toml", mode: 0o644, what: "the config")
        #expect(try entries(directory).count == 2 && !FileManager.default.fileExists(atPath: directory + "/server.key"), "nothing is in place before the commit")
        try files.commit()
        #expect(try entries(directory) == ["server.key", "server.toml"])
        #expect(try mode(directory + "/server.key") == 0o600)
        #expect(try mode(directory + "/server.toml") == 0o644)
    }

    @Test func theConfigDirectoryIsMadeAndKeptPrivate() throws {
        let parent = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let paths = HyperionPaths(configDirectory: parent + "/a/b/hyperion")
        try paths.prepareDirectory()
        #expect(try mode(paths.configDirectory) == 0o700)
        #expect(try mode(parent + "/a") == 0o755)

        chmod(paths.configDirectory, 0o755)
        try paths.prepareDirectory()
        #expect(try mode(paths.configDirectory) == 0o700, "a wider directory of ours is narrowed")

        try "x".write(toFile: parent + "/file", atomically: false, encoding: .utf8)
        expectConfigError(.unreadable, mentioning: ["is not a directory", "HYPERION_HOME"]) {
            try HyperionPaths(configDirectory: parent + "/file").prepareDirectory()
        }
    }
}
