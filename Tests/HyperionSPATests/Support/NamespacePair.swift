import Foundation
import Synchronization

/// Two network namespaces joined by a veth pair: "spa-srv-PID-N" for the gate and
/// "spa-adm-PID-N" for the admin, each with an IPv4 and an IPv6 address (`nodad`, so
/// usable at once). Always `destroy()` them, in a `defer`.
final class NamespacePair: Sendable {
    private static let counter = Mutex(0)

    let server: String
    let admin: String
    let serverV4 = "10.231.0.1"
    let adminV4 = "10.231.0.2"
    let serverV6 = "fd00:5a::1"
    let adminV6 = "fd00:5a::2"

    init() throws {
        let number = Self.counter.withLock { value in
            value += 1
            return value
        }
        let suffix = "\(getpid())-\(number)"
        server = "spa-srv-\(suffix)"
        admin = "spa-adm-\(suffix)"
        do {
            try Shell.run(["ip", "netns", "add", server])
            try Shell.run(["ip", "netns", "add", admin])
            try Shell.run(["ip", "-n", server, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", admin])
            for (namespace, v4, v6) in [(server, serverV4, serverV6), (admin, adminV4, adminV6)] {
                try Shell.run(["ip", "-n", namespace, "link", "set", "lo", "up"])
                try Shell.run(["ip", "-n", namespace, "addr", "add", "\(v4)/24", "dev", "eth0"])
                try Shell.run(["ip", "-n", namespace, "addr", "add", "\(v6)/64", "dev", "eth0", "nodad"])
                try Shell.run(["ip", "-n", namespace, "link", "set", "eth0", "up"])
            }
        } catch {
            destroy()
            throw error
        }
    }

    func destroy() {
        for namespace in [server, admin] {
            _ = try? Shell.run(["ip", "netns", "del", namespace], check: false)
        }
    }

    /// `argv` run inside the server namespace.
    func inServer(_ argv: [String]) -> [String] { ["ip", "netns", "exec", server] + argv }
    /// `argv` run inside the admin namespace.
    func inAdmin(_ argv: [String]) -> [String] { ["ip", "netns", "exec", admin] + argv }

    /// `nft list set inet TABLE SET` in the server namespace.
    func listSet(_ set: String, table: String = "hyperion") throws -> String {
        try Shell.run(inServer(["nft", "list", "set", "inet", table, set])).stdout
    }

    /// The elements line of a set listing, or "" when the set is empty.
    func elements(_ set: String, table: String = "hyperion") throws -> String {
        try listSet(set, table: table).split(separator: "\n").filter { $0.contains("elements") || $0.contains("expires") }
            .joined(separator: "\n")
    }

    /// Loads a ruleset into the server namespace with `nft -f`.
    func applyRuleset(_ text: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("spa-ruleset-\(UUID().uuidString).nft")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        try Shell.run(inServer(["nft", "-f", file.path]))
    }

    /// A TCP connect from the admin namespace; true if it was accepted within `timeout`.
    func adminCanConnect(to host: String, port: UInt16, timeout: Double = 1) throws -> Bool {
        let script = """
            import socket, sys
            try:
                socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3])).close()
            except OSError:
                sys.exit(1)
            """
        return try Shell.run(inAdmin(["python3", "-c", script, host, "\(port)", "\(timeout)"]), check: false).succeeded
    }

    /// Sends each hex string as one UDP datagram from the admin namespace.
    func sendDatagrams(hex: [String], to host: String, port: UInt16) throws {
        let script = """
            import socket, sys
            host, port = sys.argv[1], int(sys.argv[2])
            s = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET, socket.SOCK_DGRAM)
            for h in sys.argv[3:]:
                s.sendto(bytes.fromhex(h), (host, port))
            """
        try Shell.run(inAdmin(["python3", "-c", script, host, "\(port)"] + hex))
    }
}
