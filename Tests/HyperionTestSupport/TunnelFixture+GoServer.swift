import Testing

/// The Go peer as the tunnel server of a fixture (interop/go-peer), with the fixture's keys.
extension TunnelFixture {
    /// Starts `hyperion-go-peer server` on 127.0.0.1:`port`, allowed to dial `allow`, and
    /// waits until it listens. Teardown stops it. `extraArguments` go last
    /// (`--trace-yamux`, say).
    func startGoServer(port: Int, allow: [Int], extraArguments: [String] = []) async throws -> ChildProcess {
        let server = try ChildProcess(
            name: "go-server", executable: TestEnvironment.goPeer!,
            arguments: [
                "server", "--listen", "127.0.0.1:\(port)", "--key-file", serverKeyPath,
                "--admin-pubkey", adminKey.publicKey.base64, "--psk-env", Self.pskVariable,
                "--allow", allow.map(String.init).joined(separator: ","),
            ] + extraArguments,
            environment: environment, directory: directory
        )
        adopt(server)
        try await server.waitForOutput("listening")
        return server
    }
}
