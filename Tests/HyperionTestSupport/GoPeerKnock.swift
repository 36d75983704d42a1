/// Knocks built by the independent Go implementation of PROTOCOL.md §7 (interop/go-peer),
/// so forged variants (stale, from the future, for another server, under another PSK) are
/// made by code that shares nothing with the server that must refuse them.
enum GoPeerKnock {
    /// The knock datagram; with `target` ("host:port") it is also sent, from `host`. The
    /// PSK travels in the environment, never on the command line.
    @discardableResult
    static func knock(
        from host: NetworkHost, to target: String? = nil, serverPublicKey: String, presharedKey: String,
        tunnelPort: Int, unixTime: Int? = nil
    ) async throws -> [UInt8] {
        guard let goPeer = TestEnvironment.goPeer else { throw TestFailure("HYPERION_GO_PEER is not set to a built Go peer") }
        var argv = [goPeer, "knock", "--print-hex", "--server-pubkey", serverPublicKey,
                    "--psk-env", TunnelFixture.pskVariable, "--tunnel-port", "\(tunnelPort)"]
        if let target { argv += ["--to", target] }
        if let unixTime { argv += ["--time", "\(unixTime)"] }
        let output = try await host.check(argv, environment: [TunnelFixture.pskVariable: presharedKey])
        let lines: [Substring] = output.split(separator: "\n")
        guard let line = lines.first(where: { $0.count == 2 * 44 }), let bytes = [UInt8](hex: line) else {
            throw TestFailure("the Go peer printed no knock:\n\(output)")
        }
        return bytes
    }
}
