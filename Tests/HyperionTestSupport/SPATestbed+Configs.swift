import Foundation
import HyperionCrypto

/// The configs of the tests in network namespaces. Knock is on unless a test turns it off
/// by name (`knock: false`, the fault suite): in the SPA tests it is the feature under
/// test, and a test that forgot it would pass for the wrong reason.
extension SPATestbed {
    /// `hyperion-server run`'s config: `[::]` (one dual-stack socket for both families),
    /// knock on, the echo service the only egress port. The cooldown must stay below the
    /// set element's ttl (the server refuses otherwise).
    /// With `knock` false (the fault suite), no knock: the faults alone stand between the
    /// client and the server.
    func writeServerConfig(
        name: String = "server.toml", ttlSeconds: Int = 30, cooldownSeconds: Int = 1, knockPort: Int? = nil, knock: Bool = true
    ) throws -> String {
        let knockSection = !knock ? "" : """
            [knock]
            enabled = true
            window_secs = 30
            cooldown_secs = \(cooldownSeconds)
            \(knockPort.map { "knock_port = \($0)" } ?? "")

            [firewall]
            ttl_secs = \(ttlSeconds)
            """
        return try files.write(name, """
            listen = "[::]:\(Self.tunnelPort)"

            [key]
            source = "env"
            env_var = "\(TunnelFixture.pskVariable)"

            [identity]
            static_key_file = "server.key"
            admin_pubkeys = ["\(files.adminKey.publicKey.base64)"]

            [egress]
            allow = [\(Self.echoPort)]

            \(knockSection)

            [limits]
            drain_timeout_ms = 1000

            """)
    }

    /// The admin's config: knock on, one server over `family`, one forward to the echo.
    /// `serverPublicKey` replaces the real one (a client that knocks for another server),
    /// `address` the server's address of `family` (a host name).
    func writeClientConfig(
        name: String = "client.toml", family: AddressFamily, serverPublicKey: String? = nil, poolSize: Int = 2, knockPort: Int? = nil,
        address: String? = nil, knock: Bool = true
    ) throws -> String {
        try files.write(name, """
            admin_static_key_file = "\(files.adminKeyPath)"

            [key]
            source = "env"
            env_var = "\(TunnelFixture.pskVariable)"

            [knock]
            enabled = \(knock)

            [[server]]
            name = "srv"
            addr = "\(address ?? server.endpoint(family, port: Self.tunnelPort))"
            server_pubkey = "\(serverPublicKey ?? self.serverPublicKey)"
            pool_size = \(poolSize)
            \(knockPort.map { "knock_port = \($0)" } ?? "")

            [[forward]]
            local = "127.0.0.1:\(Self.forwardPort)"
            server = "srv"
            remote_port = \(Self.echoPort)

            """)
    }

    /// A public key no server here has.
    static func strangerPublicKey() -> String { X25519SecretKey.generate().publicKey.base64 }

    /// A PSK nobody here uses.
    static func strangerPresharedKey() -> String {
        Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }
}
