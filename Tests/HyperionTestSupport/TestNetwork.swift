import Foundation
import Synchronization

/// A small network of its own for one test: a server, an admin and an attacker host, each
/// in a network namespace, joined by a bridge that lives in a fourth namespace. Nothing
/// of it is visible from the machine's own namespace, so tests can run side by side with
/// the same addresses, and no packet of theirs leaves the machine.
///
/// Namespace names carry the test runner's pid and a counter, so concurrent tests and
/// concurrent runs do not collide. Always `destroy()` it; `SPATestbed.run` does.
final class TestNetwork: Sendable {
    private static let counter = Mutex(0)

    let bridge: String
    let server: NetworkHost
    let admin: NetworkHost
    let attacker: NetworkHost
    var hosts: [NetworkHost] { [server, admin, attacker] }

    private init(prefix: String) {
        bridge = "\(prefix)-br"
        server = NetworkHost(role: "server", namespace: "\(prefix)-srv", v4: "10.77.0.1", v6: "fd00:77::1")
        admin = NetworkHost(role: "admin", namespace: "\(prefix)-adm", v4: "10.77.0.2", v6: "fd00:77::2")
        attacker = NetworkHost(role: "attacker", namespace: "\(prefix)-atk", v4: "10.77.0.3", v6: "fd00:77::3")
    }

    static func create() async throws -> TestNetwork {
        let number = counter.withLock { value in
            value += 1
            return value
        }
        if number == 1 { await removeLeftovers() }
        let network = TestNetwork(prefix: "hspa-\(getpid())-\(number)")
        do {
            try await network.build()
        } catch {
            await network.destroy()
            throw error
        }
        return network
    }

    private func build() async throws {
        for namespace in [bridge] + hosts.map(\.namespace) {
            try await ip(["netns", "add", namespace])
            try await ip(["-n", namespace, "link", "set", "lo", "up"])
        }
        // Snooping off: the bridge floods multicast (IPv6 neighbor discovery) to every port
        // instead of depending on MLD reports the hosts may not have sent yet.
        try await ip(["-n", bridge, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0"])
        try await ip(["-n", bridge, "link", "set", "br0", "up"])
        for host in hosts {
            let port = String(host.role.prefix(3))
            try await ip(["-n", host.namespace, "link", "add", "eth0", "type", "veth", "peer", "name", port, "netns", bridge])
            try await ip(["-n", bridge, "link", "set", port, "master", "br0"])
            try await ip(["-n", bridge, "link", "set", port, "up"])
            try await ip(["-n", host.namespace, "addr", "add", "\(host.v4)/24", "dev", "eth0"])
            // nodad: usable at once, not after duplicate address detection's second or so.
            try await ip(["-n", host.namespace, "addr", "add", "\(host.v6)/64", "dev", "eth0", "nodad"])
            try await ip(["-n", host.namespace, "link", "set", "eth0", "up"])
        }
    }

    /// Deletes the namespaces; their veth pairs and the bridge go with them. Processes
    /// still inside would keep a namespace alive, so stop them first.
    func destroy() async {
        for namespace in hosts.map(\.namespace) + [bridge] {
            _ = try? await runCommand(SystemTool.ip, ["netns", "del", namespace], timeout: .seconds(10), as: .runner)
            try? FileManager.default.removeItem(atPath: Self.configurationDirectory(namespace))
        }
    }

    /// Gives `host` its own /etc/hosts: `ip netns exec` mounts the files of
    /// /etc/netns/NAME over their namesakes in /etc for the program it runs. `destroy`
    /// removes the directory again.
    func writeHostsFile(on host: NetworkHost, _ lines: [String]) throws {
        let directory = Self.configurationDirectory(host.namespace)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let text = (["127.0.0.1 localhost", "::1 localhost"] + lines).joined(separator: "\n") + "\n"
        try text.write(toFile: directory + "/hosts", atomically: true, encoding: .utf8)
    }

    /// Gives `host` its own /etc/gai.conf, which orders the addresses getaddrinfo returns.
    func writeAddressPreference(on host: NetworkHost, _ lines: [String]) throws {
        let directory = Self.configurationDirectory(host.namespace)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try (lines.joined(separator: "\n") + "\n").write(toFile: directory + "/gai.conf", atomically: true, encoding: .utf8)
    }

    private static func configurationDirectory(_ namespace: String) -> String { "/etc/netns/\(namespace)" }

    /// Deletes the namespaces of earlier runs whose test runner is gone: one killed from
    /// outside (a CI job's timeout) never reached its teardown.
    private static func removeLeftovers() async {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/run/netns") else { return }
        for name in names where name.hasPrefix("hspa-") {
            let fields = name.split(separator: "-")
            guard fields.count == 4, let pid = pid_t(fields[1]), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            _ = try? await runCommand(SystemTool.ip, ["netns", "del", name], timeout: .seconds(10), as: .runner)
            try? FileManager.default.removeItem(atPath: configurationDirectory(name))
        }
    }

    private func ip(_ arguments: [String]) async throws {
        let result = try await runCommand(SystemTool.ip, arguments, timeout: .seconds(10), as: .runner)
        guard result.status == 0 else {
            throw TestFailure("ip \(arguments.joined(separator: " ")) exited \(result.status): \(result.output)")
        }
    }
}
