/// One machine of the test network: a network namespace with an IPv4 and an IPv6 address
/// on its `eth0`, which is a port of the test bridge.
struct NetworkHost: Sendable, CustomStringConvertible {
    let role: String
    let namespace: String
    let v4: String
    let v6: String

    var description: String { "\(role) (\(namespace))" }

    func address(_ family: AddressFamily) -> String { family == .v4 ? v4 : v6 }

    /// `host:port` as the client config and the Go peer write it (IPv6 in brackets).
    func endpoint(_ family: AddressFamily, port: Int) -> String {
        family == .v4 ? "\(v4):\(port)" : "[\(v6)]:\(port)"
    }

    /// `ip netns exec` arguments (after the ip binary) that run `argv` on this host.
    func inside(_ argv: [String]) -> [String] { ["netns", "exec", namespace] + argv }

    /// `ip netns exec` arguments that run `argv` on this host as `user`. `ip netns exec`
    /// itself needs root; the program drops to the test user inside the namespace.
    func inside(_ argv: [String], as user: ProcessUser) throws -> [String] {
        inside(try TestUser.command(argv, as: user))
    }

    /// Runs `argv` to completion on this host, with a time limit. The test's own helpers
    /// (probes, captures) run as `.runner`, the default; the programs under test as
    /// `.testUser` where they need no privilege.
    func run(_ argv: [String], environment: [String: String] = [:], timeout: Duration = .seconds(30), as user: ProcessUser = .runner) async throws -> (status: Int32, output: String) {
        try await runCommand(SystemTool.ip, inside(argv, as: user), environment: environment, timeout: timeout, as: .runner)
    }

    /// Like `run`, but a non-zero exit is an error that shows the output.
    @discardableResult
    func check(_ argv: [String], environment: [String: String] = [:], timeout: Duration = .seconds(30)) async throws -> String {
        let result = try await run(argv, environment: environment, timeout: timeout)
        guard result.status == 0 else {
            throw TestFailure("on the \(role) host, \(argv.joined(separator: " ")) exited \(result.status):\n\(result.output)")
        }
        return result.output
    }

    /// Runs a Python program (source text) on this host.
    func python(_ source: String, _ arguments: [String], timeout: Duration = .seconds(30)) async throws -> (status: Int32, output: String) {
        try await run([SystemTool.python3, "-c", source] + arguments, timeout: timeout)
    }
}
