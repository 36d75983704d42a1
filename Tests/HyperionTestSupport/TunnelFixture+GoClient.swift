import Testing

/// The Go peer as the tunnel client of a fixture (interop/go-peer), with the fixture's keys.
extension TunnelFixture {
    /// Starts `hyperion-go-peer client` to our server on 127.0.0.1:`tunnelPort`, forwarding
    /// each local port to its remote port, and waits until every forward listens. Teardown
    /// stops it. `extraArguments` go last (`--trace-yamux`, say).
    func startGoClient(tunnelPort: Int, forwards: [(local: Int, remote: Int)], extraArguments: [String] = []) async throws -> ChildProcess {
        let client = try ChildProcess(
            name: "go-client", executable: TestEnvironment.goPeer!,
            arguments: [
                "client", "--server", "127.0.0.1:\(tunnelPort)", "--server-pubkey", serverKey.publicKey.base64,
                "--key-file", adminKeyPath, "--psk-env", Self.pskVariable,
            ] + forwards.flatMap { ["-L", "\($0.local):\($0.remote)"] } + extraArguments,
            environment: environment, directory: directory
        )
        adopt(client)
        try await client.waitForOutput("forwarding", count: forwards.count)
        return client
    }
}
