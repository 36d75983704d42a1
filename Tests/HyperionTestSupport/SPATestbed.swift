import Foundation
import HyperionCrypto
import Testing

/// One SPA end-to-end test's world: its own three-host network, keys and configs in a
/// temporary directory (`TunnelFixture`), the server's base firewall loaded exactly as
/// `hyperion-server print-firewall` prints it, and every process the test starts, all
/// removed again on every way out of `run`.
final class SPATestbed: @unchecked Sendable {
    // @unchecked: owned by one test at a time, like TunnelFixture.
    static let tunnelPort = 8443
    static let echoPort = 7007
    static let forwardPort = 2201

    let files: TunnelFixture
    let network: TestNetwork
    var server: NetworkHost { network.server }
    var admin: NetworkHost { network.admin }
    var attacker: NetworkHost { network.attacker }
    var serverPublicKey: String { files.serverKey.publicKey.base64 }
    var presharedKey: String { files.presharedKey }

    private init(files: TunnelFixture, network: TestNetwork) {
        self.files = files
        self.network = network
    }

    /// Runs `body` in a fresh testbed, or skips (fails under CI) when the machine cannot
    /// host one. With `firewall` false the server namespace is left without a ruleset.
    static func run(_ name: String, firewall: Bool = true, _ body: (SPATestbed) async throws -> Void) async throws {
        guard requirementsMet() else { return }
        let files = try TunnelFixture("spa-\(name)")
        let network: TestNetwork
        do {
            network = try await TestNetwork.create()
        } catch {
            await files.tearDown()
            throw error
        }
        let testbed = SPATestbed(files: files, network: network)
        do {
            if firewall { try await testbed.applyFirewall() }
            try await body(testbed)
        } catch {
            await testbed.tearDown()
            throw error
        }
        await testbed.tearDown()
    }

    /// Processes first: a process still inside a namespace would keep it alive.
    ///
    /// In a task of its own, because a test past its time limit is cancelled, and in a
    /// cancelled task every wait of the clean-up would end at once and leave processes
    /// and namespaces behind.
    private func tearDown() async {
        await Task {
            await files.tearDown()
            await network.destroy()
        }.value
    }

    static func requirementsMet() -> Bool {
        TestEnvironment.require(TestEnvironment.isRoot, "root (network namespaces, nftables and packet sockets for the SPA end-to-end tests)")
            && TestEnvironment.require(SystemTool.path("ip") != nil, "ip (iproute2)")
            && TestEnvironment.require(SystemTool.path("nft") != nil, "nft (nftables)")
            && TestEnvironment.require(SystemTool.path("python3") != nil, "python3")
            && TestEnvironment.require(FileManager.default.isExecutableFile(atPath: TestEnvironment.server), "hyperion-server at \(TestEnvironment.server)")
    }

    /// What an admin is told to do: `print-firewall | nft -f -`, here into the server's
    /// namespace. The ruleset must load exactly as printed.
    func applyFirewall(on host: NetworkHost? = nil) async throws {
        let command = "set -o pipefail; '\(TestEnvironment.server)' print-firewall --tunnel-port \(Self.tunnelPort)"
            + " | '\(SystemTool.ip)' netns exec '\((host ?? server).namespace)' nft -f -"
        let result = try await runCommand(SystemTool.path("bash") ?? "/bin/bash", ["-c", command], timeout: .seconds(20), as: .runner)
        guard result.status == 0 else { throw TestFailure("the printed firewall did not load (exit \(result.status)):\n\(result.output)") }
    }

    // MARK: Processes

    /// Starts `hyperion-server run` in the server namespace and waits until it listens.
    func startServer(config: String, name: String = "server") async throws -> ChildProcess {
        let process = try launchServer(config: config, name: name)
        guard try await process.waitForOutput("listening") else { throw TestFailure("\(name) did not start") }
        return process
    }

    /// Starts `hyperion-server run` without waiting for it. As root: with knock enabled
    /// it sniffs with an AF_PACKET socket and adds to nftables sets, which take
    /// CAP_NET_RAW and CAP_NET_ADMIN.
    func launchServer(config: String, name: String = "server") throws -> ChildProcess {
        try launch(name: name, on: server, [TestEnvironment.server, "run", "--config", config], environment: files.environment, as: .runner)
    }

    func startEchoService() async throws {
        files.adopt(try await NamespaceEchoService.start(on: server, port: Self.echoPort, directory: files.directory))
    }

    /// Starts `hyperion-client run` on the admin host, as the test user (knocking needs no
    /// privilege), and waits until its forward listens.
    func startClient(config: String, name: String = "client") async throws -> ChildProcess {
        let process = try launch(name: name, on: admin, [TestEnvironment.client, "run", "--config", config], environment: files.environment, as: .testUser)
        guard try await process.waitForOutput("forwarding") else { throw TestFailure("\(name) did not start") }
        return process
    }

    /// `hyperion-client doctor` on the admin host, as the test user; `presharedKey`
    /// replaces the right one.
    func doctor(config: String, presharedKey: String? = nil) async throws -> (status: Int32, output: String) {
        try await admin.run(
            [TestEnvironment.client, "doctor", "--config", config],
            environment: [TunnelFixture.pskVariable: presharedKey ?? self.presharedKey], as: .testUser
        )
    }

    /// `ip netns exec` needs root; `user` is who the program runs as inside the namespace.
    private func launch(name: String, on host: NetworkHost, _ argv: [String], environment: [String: String], as user: ProcessUser) throws -> ChildProcess {
        let process = try ChildProcess(
            name: name, executable: SystemTool.ip, arguments: host.inside(argv, as: user), environment: environment,
            directory: files.directory, user: .runner
        )
        files.adopt(process)
        return process
    }

    /// Sends `payload` through the admin's forward and returns what came back.
    func exchangeThroughForward(_ payload: [UInt8]) async throws -> [UInt8] {
        try await ForwardExchange.exchange(on: admin, port: Self.forwardPort, payload: payload, directory: files.directory)
    }
}
