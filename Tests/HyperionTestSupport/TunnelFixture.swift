import Foundation
import HyperionCrypto
import NIOCore
import NIOPosix
import Testing

/// Keys, configs and processes for one tunnel test in its own temporary directory.
///
/// The directory and the key files belong to the test user (`TestUser`), who runs the
/// programs: the key files have mode 0600, and the programs refuse any other, so they must
/// be that user's own. Configs and logs stay the runner's, readable by everyone.
final class TunnelFixture: @unchecked Sendable {
    // @unchecked: owned by one test at a time.
    static let pskVariable = "HYPERION_TEST_PSK"

    let directory: String
    let serverKey = X25519SecretKey.generate()
    let adminKey = X25519SecretKey.generate()
    let presharedKey: String
    let serverKeyPath: String
    let adminKeyPath: String
    private var processes: [ChildProcess] = []
    private var keepDirectory = false

    /// Registers a process started by the test itself, so teardown stops it too.
    func adopt(_ process: ChildProcess) { processes.append(process) }

    init(_ name: String) throws {
        directory = NSTemporaryDirectory() + "hyperion-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try TestUser.own(directory)
        serverKeyPath = directory + "/server.key"
        adminKeyPath = directory + "/admin.key"
        try KeyFile.write(serverKey, to: serverKeyPath)
        try KeyFile.write(adminKey, to: adminKeyPath)
        try TestUser.own(serverKeyPath)
        try TestUser.own(adminKeyPath)
        presharedKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }

    var environment: [String: String] { [Self.pskVariable: presharedKey] }

    /// A port that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw TestFailure("bind failed: \(errno)") }
        withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A secret file (key, PSK) for the programs: mode 0600, the test user's.
    func writeSecret(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try SecretFile.createText(text, at: path, what: "test secret")
        try TestUser.own(path)
        return path
    }

    /// The `[key]` table both configs use unless told otherwise: the PSK from
    /// `pskVariable`, which `environment` sets.
    static let envKeyTable = "source = \"env\"\nenv_var = \"\(pskVariable)\""

    func serverConfig(port: Int, allow: [Int], adminKeys: [String]? = nil, keyTable: String = envKeyTable, extra: String = "") throws -> String {
        let admins = (adminKeys ?? [adminKey.publicKey.base64]).map { "\"\($0)\"" }.joined(separator: ", ")
        return try write("server-\(port).toml", """
            listen = "127.0.0.1:\(port)"

            [key]
            \(keyTable)

            [identity]
            static_key_file = "server.key"
            admin_pubkeys = [\(admins)]

            [egress]
            allow = [\(allow.map(String.init).joined(separator: ", "))]
            \(extra)
            """)
    }

    struct ForwardLine {
        let localPort: Int
        let server: String
        let remotePort: Int
    }

    func clientConfig(
        name: String = "client.toml", servers: [(name: String, port: Int)], forwards: [ForwardLine],
        adminKeyPath: String? = nil, serverPublicKey: String? = nil, poolSize: Int = 2, keyTable: String = envKeyTable, extra: String = ""
    ) throws -> String {
        var text = """
            admin_static_key_file = "\(adminKeyPath ?? self.adminKeyPath)"
            \(extra)

            [key]
            \(keyTable)

            """
        for server in servers {
            text += """

                [[server]]
                name = "\(server.name)"
                addr = "127.0.0.1:\(server.port)"
                server_pubkey = "\(serverPublicKey ?? serverKey.publicKey.base64)"
                pool_size = \(poolSize)

                """
        }
        for forward in forwards {
            text += """

                [[forward]]
                local = "127.0.0.1:\(forward.localPort)"
                server = "\(forward.server)"
                remote_port = \(forward.remotePort)

                """
        }
        return try write(name, text)
    }

    func startServer(config: String, name: String = "server", environment extra: [String: String] = [:]) async throws -> ChildProcess {
        let process = try launchServer(config: config, name: name, environment: extra)
        try await process.waitForOutput("listening")
        return process
    }

    /// Starts `hyperion-server run` as the test user without waiting for it.
    func launchServer(config: String, name: String = "server", environment extra: [String: String] = [:]) throws -> ChildProcess {
        let process = try ChildProcess(
            name: name, executable: TestEnvironment.server, arguments: ["run", "--config", config],
            environment: environment.merging(extra) { $1 }, directory: directory
        )
        processes.append(process)
        return process
    }

    func startClient(config: String, name: String = "client", arguments: [String] = [], environment extra: [String: String] = [:], forwards: Int = 1) async throws -> ChildProcess {
        let process = try launchClient(config: config, name: name, arguments: arguments, environment: extra)
        try await process.waitForOutput("forwarding", count: forwards)
        return process
    }

    /// Starts `hyperion-client run` as the test user without waiting for it.
    func launchClient(config: String, name: String = "client", arguments: [String] = [], environment extra: [String: String] = [:]) throws -> ChildProcess {
        let process = try ChildProcess(
            name: name, executable: TestEnvironment.client, arguments: ["run", "--config", config] + arguments,
            environment: environment.merging(extra) { $1 }, directory: directory
        )
        processes.append(process)
        return process
    }

    /// `hyperion-client doctor` as the test user, to completion.
    func doctor(config: String, environment: [String: String]? = nil) async throws -> (status: Int32, output: String) {
        try await runCommand(TestEnvironment.client, ["doctor", "--config", config], environment: environment ?? self.environment)
    }

    /// The common set-up: a server allowed to dial `servicePort` and a client forwarding a
    /// fresh local port to it through server "srvA". `serverExtra` and `clientExtra` are
    /// appended to each config (a `[limits]` table, say).
    func startForward(
        to servicePort: Int, environment extra: [String: String] = [:], serverExtra: String = "", clientExtra: String = ""
    ) async throws -> (localPort: Int, server: ChildProcess, client: ChildProcess) {
        let tunnelPort = try Self.freePort()
        let localPort = try Self.freePort()
        let server = try await startServer(config: serverConfig(port: tunnelPort, allow: [servicePort], extra: serverExtra), environment: extra)
        let client = try await startClient(config: clientConfig(
            servers: [("srvA", tunnelPort)], forwards: [.init(localPort: localPort, server: "srvA", remotePort: servicePort)],
            extra: clientExtra
        ), environment: extra)
        return (localPort, server, client)
    }

    /// Runs `body` with a fresh fixture and always tears it down afterwards, also when the
    /// body throws, so no server or client outlives its test.
    static func with<T>(_ name: String, _ body: (TunnelFixture) async throws -> T) async throws -> T {
        let fixture = try TunnelFixture(name)
        do {
            let result = try await body(fixture)
            await fixture.tearDown()
            return result
        } catch {
            fixture.reportLogs()
            await fixture.tearDown()
            throw error
        }
    }

    /// Shows the end of every process log, so a failure in CI says what the tunnel saw.
    /// HYPERION_TEST_KEEP_LOGS=1 also keeps the whole directory for a closer look.
    private func reportLogs(lines: Int = 40) {
        for process in processes {
            let tail = process.output.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
            print("--- last \(lines) lines of \(process.name) (\(process.logPath)):\n\(tail)")
        }
        if ProcessInfo.processInfo.environment["HYPERION_TEST_KEEP_LOGS"] == "1" { keepDirectory = true }
    }

    /// Stops every process this fixture started and removes its directory.
    func tearDown() async {
        for process in processes.reversed() { await process.stop() }
        if keepDirectory {
            print("kept \(directory) (HYPERION_TEST_KEEP_LOGS=1)")
        } else {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}

extension [UInt8] {
    static func random(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = generator.next()
            for _ in 0..<Swift.min(8, count - index) {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return bytes
    }
}
