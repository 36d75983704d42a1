import Foundation
import HyperionCrypto
import HyperionSPA
import Synchronization

/// The independent Go peer (interop/go-peer) as the knocking admin. `HYPERION_GO_PEER`
/// names a built binary (the project's test script sets it); otherwise it is built once.
enum GoPeer {
    private static let built = Mutex<String?>(nil)

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static func path() throws -> String {
        if let path = ProcessInfo.processInfo.environment["HYPERION_GO_PEER"], !path.isEmpty { return path }
        return try built.withLock { cached in
            if let cached { return cached }
            let script = repositoryRoot.appendingPathComponent("interop/go-peer/build.sh").path
            let output = repositoryRoot.appendingPathComponent(".build-go").path
            let result = try Shell.run([script, output])
            let path = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
            cached = path
            return path
        }
    }
}

/// Key material for one test: a server identity and a PSK, with base64 forms for the
/// probe and the Go peer. The PSK only ever travels in an environment variable.
struct TestKeys {
    static let pskVariable = "HYPERION_SPA_TEST_PSK"

    let server = X25519SecretKey.generate()
    let pskBase64: String

    init() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        pskBase64 = Data(bytes).base64EncodedString()
    }

    var serverPublic: String { server.publicKey.base64 }
    var environment: [String: String] { [Self.pskVariable: pskBase64] }
}

extension NamespacePair {
    /// `hyperion-go-peer knock` from the admin namespace. With `to` nil it only prints the
    /// datagram in hex, which is returned.
    @discardableResult
    func goKnock(
        to host: String?, port: UInt16 = 8443, keys: TestKeys, serverPublic: String? = nil, psk: String? = nil,
        time: Int? = nil, tunnelPort: UInt16 = 8443
    ) throws -> String {
        var argv = [try GoPeer.path(), "knock", "--server-pubkey", serverPublic ?? keys.serverPublic,
                    "--psk-env", TestKeys.pskVariable, "--tunnel-port", "\(tunnelPort)"]
        if let host { argv += ["--to", host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"] }
        if let time { argv += ["--time", "\(time)"] }
        let result = try Shell.run(inAdmin(argv), environment: [TestKeys.pskVariable: psk ?? keys.pskBase64])
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// hyperion-spa-probe running an SPAGate in the server namespace.
final class Probe {
    let launched: Shell.Launched
    let statsPath: String

    static var executable: String {
        if let path = ProcessInfo.processInfo.environment["HYPERION_SPA_PROBE"], !path.isEmpty { return path }
        // The probe is built next to the test bundle (…/debug/HyperionPackageTests.xctest).
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent("hyperion-spa-probe").path
    }

    /// Starts the probe; `flags` override the defaults (ports 8443, summary every second).
    /// `wrapper` goes between `ip netns exec NAME` and the probe (e.g. setpriv).
    init(in namespaces: NamespacePair, keys: TestKeys, flags: [String: String] = [:], wrapper: [String] = []) throws {
        statsPath = FileManager.default.temporaryDirectory.appendingPathComponent("spa-stats-\(UUID().uuidString).json").path
        let defaults = [
            "knock-port": "8443", "tunnel-port": "8443", "server-pubkey": keys.serverPublic,
            "psk-env": TestKeys.pskVariable, "summary-interval": "1", "stats-file": statsPath,
        ]
        let arguments = defaults.merging(flags) { $1 }.sorted { $0.key < $1.key }.flatMap { ["--\($0.key)", $0.value] }
        launched = try Shell.launch(namespaces.inServer(wrapper + [Self.executable] + arguments), environment: keys.environment)
    }

    /// Waits until the gate has started (the first statistics file) or the probe exited.
    func waitUntilStarted(seconds: Double = 10) -> Bool {
        _ = Shell.waitUntil(seconds: seconds) { FileManager.default.fileExists(atPath: statsPath) || !launched.process.isRunning }
        return FileManager.default.fileExists(atPath: statsPath)
    }

    var statistics: SPAStatistics {
        get throws { try JSONDecoder().decode(SPAStatistics.self, from: Data(contentsOf: URL(fileURLWithPath: statsPath))) }
    }

    /// Polls the statistics until `condition` holds; returns the last snapshot.
    func waitForStatistics(seconds: Double = 5, _ condition: (SPAStatistics) -> Bool) throws -> SPAStatistics {
        _ = Shell.waitUntil(seconds: seconds) { (try? statistics).map(condition) ?? false }
        return try statistics
    }

    /// Stops the probe (SIGTERM) and returns its log.
    @discardableResult
    func stop() -> String {
        launched.terminate()
        let log = launched.stderr() + launched.stdout()
        launched.removeFiles()
        try? FileManager.default.removeItem(atPath: statsPath)
        return log
    }

    var log: String { launched.stderr() }
}
