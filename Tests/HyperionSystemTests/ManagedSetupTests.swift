import Foundation
import HyperionCrypto
import Testing
@testable import HyperionTestSupport

/// Managed mode's set-up commands as an admin runs them (issue 18, items 2 and 3): the real
/// binaries, as the test user (`nobody` under root), each side with its own
/// `HYPERION_HOME` that does not exist yet. Every refusal exits non-zero, says what to do,
/// and leaves every file as it was.
@Suite(.serialized) struct ManagedSetupTests {
    struct Home {
        let base: String
        var client: String { base + "/admin/hyperion" }
        var server: String { base + "/server/hyperion" }

        func run(_ program: String, _ arguments: [String], home: String) async throws -> (status: Int32, output: String) {
            try await runCommand(TestUser.binaryDirectory + "/" + program, arguments, environment: ["HYPERION_HOME": home], timeout: .seconds(30))
        }

        func client(_ arguments: String...) async throws -> (status: Int32, output: String) {
            try await run("hyperion-client", arguments, home: client)
        }

        func server(_ arguments: String...) async throws -> (status: Int32, output: String) {
            try await run("hyperion-server", arguments, home: server)
        }

        /// Every file under `base` with its bytes and mode, to show that a refusal changed nothing.
        func snapshot() throws -> [String: String] {
            var files: [String: String] = [:]
            let enumerator = FileManager.default.enumerator(atPath: base)
            while let relative = enumerator?.nextObject() as? String {
                let path = base + "/" + relative
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                let mode = String((attributes[.posixPermissions] as! NSNumber).intValue, radix: 8)
                let data = (attributes[.type] as? FileAttributeType) == .typeRegular ? FileManager.default.contents(atPath: path) ?? Data() : Data()
                files[relative] = "\(mode) \(data.base64EncodedString())"
            }
            return files
        }
    }

    static func withHome(_ body: (Home) async throws -> Void) async throws {
        let base = NSTemporaryDirectory() + "hyperion-managed-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        try TestUser.own(base)
        defer { try? FileManager.default.removeItem(atPath: base) }
        try await body(Home(base: base))
    }

    func value(_ label: String, in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix(label) }.map { String($0.dropFirst(label.count)) }
    }

    func info(_ path: String) throws -> (mode: Int, owner: Int) {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return ((attributes[.posixPermissions] as! NSNumber).intValue, (attributes[.ownerAccountID] as! NSNumber).intValue)
    }

    @Test func initOnBothSidesThenServersAddedListedAndRemoved() async throws {
        try await Self.withHome { home in
            let initialized = try await home.client("init")
            #expect(initialized.status == 0, "\(initialized.output)")
            let adminKey = try #require(value("admin public key: ", in: initialized.output), "\(initialized.output)")
            let salt = try #require(value("salt: ", in: initialized.output), "\(initialized.output)")
            #expect(initialized.output.contains("hyperion-server init --salt \(salt) --admin-key \(adminKey)"))
            let owner = Int(TestUser.dropsPrivileges ? TestUser.uid : geteuid())
            #expect(try info(home.client) == (0o700, owner))
            #expect(try info(home.client + "/admin.key") == (0o600, owner))
            #expect(try info(home.client + "/client.toml") == (0o600, owner))
            let adminSecret = try KeyFile.readSecretKey(at: home.client + "/admin.key")
            #expect(adminSecret.publicKey.base64 == adminKey, "the printed key is the key file's")

            let serverInit = try await home.server("init", "--salt", salt, "--admin-key", adminKey, "--allow", "22,5432")
            #expect(serverInit.status == 0, "\(serverInit.output)")
            let serverSecret = try KeyFile.readSecretKey(at: home.server + "/server.key")
            let serverKey = serverSecret.publicKey.base64
            #expect(serverInit.output.split(separator: "\n").contains(Substring(serverKey)), "the server's public key alone on a line:\n\(serverInit.output)")
            #expect(try info(home.server) == (0o700, owner))
            let serverConfig = try String(contentsOfFile: home.server + "/server.toml", encoding: .utf8)
            #expect(serverConfig.contains("salt = \"\(salt)\"") && serverConfig.contains("admin_pubkeys = [\"\(adminKey)\"]"))
            #expect(serverConfig.contains("allow = [22, 5432]") && serverConfig.contains("enabled = true"))

            let listedEmpty = try await home.client("ls")
            #expect(listedEmpty.status == 0 && listedEmpty.output.contains("no servers"), "\(listedEmpty.output)")
            let web1 = try await home.client("add-server", "web1", "203.0.113.10:8443", serverKey)
            #expect(web1.status == 0 && web1.output.contains("10.99.0.10") && web1.output.contains("fd68:7970::a"), "\(web1.output)")
            let db1 = try await home.client("add-server", "db1", "db.example.com:8443", serverKey)
            #expect(db1.status == 0 && db1.output.contains("10.99.0.11"), "\(db1.output)")
            let listed = try await home.client("ls")
            #expect(listed.status == 0, "\(listed.output)")
            let rows = listed.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(rows.contains(["web1", "203.0.113.10:8443", "10.99.0.10", "fd68:7970::a", serverKey]), "\(listed.output)")
            #expect(rows.contains(["db1", "db.example.com:8443", "10.99.0.11", "fd68:7970::b", serverKey]), "\(listed.output)")

            let removed = try await home.client("rm-server", "web1")
            #expect(removed.status == 0, "\(removed.output)")
            let after = try await home.client("ls")
            #expect(!after.output.contains("web1") && after.output.contains("db1"), "\(after.output)")
            #expect(try info(home.client + "/client.toml") == (0o600, owner), "an edit keeps the mode")
        }
    }

    @Test func refusalsExitNonZeroAndChangeNothing() async throws {
        try await Self.withHome { home in
            let noConfig = try await home.client("add-server", "web1", "203.0.113.10:8443", X25519SecretKey.generate().publicKey.base64)
            #expect(noConfig.status != 0 && noConfig.output.contains("run `hyperion-client init` first"), "\(noConfig.output)")
            #expect(!FileManager.default.fileExists(atPath: home.client), "nothing made before init")

            let initialized = try await home.client("init")
            let adminKey = try #require(value("admin public key: ", in: initialized.output), "\(initialized.output)")
            let salt = try #require(value("salt: ", in: initialized.output))
            #expect(try await home.server("init", "--salt", salt, "--admin-key", adminKey).status == 0)
            let serverKey = try KeyFile.readSecretKey(at: home.server + "/server.key").publicKey.base64
            #expect(try await home.client("add-server", "web1", "203.0.113.10:8443", serverKey).status == 0)

            let refusals: [(side: String, arguments: [String], message: String)] = [
                ("client", ["init"], "already exists, so nothing was changed"),
                ("server", ["init", "--salt", salt, "--admin-key", adminKey], "already exists, so nothing was changed"),
                ("server", ["init", "--salt", "short", "--admin-key", adminKey, "--force"], "--salt is 5 bytes"),
                ("server", ["init", "--salt", salt, "--admin-key", "not-a-key", "--force"], "--admin-key"),
                ("server", ["init", "--salt", salt, "--admin-key", adminKey, "--allow", "22,ssh", "--force"], "\"ssh\" is not a port"),
                ("client", ["add-server", "web1", "203.0.113.11:8443", serverKey], "\"web1\" is already configured"),
                ("client", ["add-server", "web2", "203.0.113.11:8443", "AAAA"], "the server's public key"),
                ("client", ["add-server", "web2", "203.0.113.11", serverKey], "HOST:PORT"),
                ("client", ["add-server", ".bad", "203.0.113.11:8443", serverKey], "server name"),
                ("client", ["rm-server", "web9"], "no server called \"web9\""),
            ]
            for refusal in refusals {
                let before = try home.snapshot()
                let result = try await home.run(
                    "hyperion-\(refusal.side)", refusal.arguments, home: refusal.side == "client" ? home.client : home.server
                )
                #expect(result.status != 0, "\(refusal.side) \(refusal.arguments.joined(separator: " ")) exited 0:\n\(result.output)")
                #expect(result.output.contains(refusal.message), "\(refusal.arguments.joined(separator: " ")): \(result.output)")
                #expect(try home.snapshot() == before, "\(refusal.side) \(refusal.arguments.joined(separator: " ")) changed files")
            }

            // --force makes a new key and config in one step.
            let forced = try await home.client("init", "--force")
            #expect(forced.status == 0, "\(forced.output)")
            #expect(value("admin public key: ", in: forced.output) != adminKey)
            #expect(try KeyFile.readSecretKey(at: home.client + "/admin.key").publicKey.base64 == value("admin public key: ", in: forced.output))
        }
    }
}
