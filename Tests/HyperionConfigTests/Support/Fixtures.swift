import HyperionCrypto

/// Keys generated once per test run, and the configs of the original README written
/// around them.
enum Fixtures {
    static let adminSecret = X25519SecretKey.generate()
    static let admin = adminSecret.publicKey.base64
    static let admin2 = X25519SecretKey.generate().publicKey.base64
    static let serverA = X25519SecretKey.generate().publicKey.base64
    static let serverB = X25519SecretKey.generate().publicKey.base64
    /// A random 32-byte PSK in base64 (a secret key's bytes are as random as any).
    static let psk = X25519SecretKey.generate().base64

    static let keyPassphrase = """
        source = "passphrase"
        salt   = "change-me-shared-salt"      # same on client and server
        """

    static let identity = """
        static_key_file = "server.key"
        admin_pubkeys   = ["\(admin)"]
        """

    /// server.toml of the README's loopback quickstart, with optional pieces swapped.
    static func server(
        top: String = #"listen = "127.0.0.1:8443""#,
        key: String? = keyPassphrase,
        identity: String? = identity,
        extra: String = "[egress]\nallow = [22] # deny-all by default"
    ) -> String {
        var text = top + "\n\n"
        if let key { text += "[key]\n\(key)\n\n" }
        if let identity { text += "[identity]\n\(identity)\n\n" }
        return text + extra + "\n"
    }

    static let serverSrvA = """
        [[server]]
        name          = "srvA"
        addr          = "127.0.0.1:8443"
        server_pubkey = "\(serverA)"
        """

    static let forwardSSH = """
        [[forward]]
        local       = "127.0.0.1:2201"
        server      = "srvA"
        remote_port = 22
        """

    /// client.toml of the README's loopback quickstart, with optional pieces swapped.
    static func client(
        top: String = #"admin_static_key_file = "admin.key""#,
        key: String? = keyPassphrase,
        servers: String = serverSrvA,
        forwards: String = forwardSSH,
        extra: String = ""
    ) -> String {
        var text = top + "\n\n"
        if let key { text += "[key]\n\(key)\n\n" }
        return text + extra + "\n\n" + servers + "\n\n" + forwards + "\n"
    }
}
