// The key material a load tool needs to be a real v1 initiator. Secrets come from files
// (mode 0600, checked like the product checks them), never from argv.
import HyperionCrypto

struct TunnelKeys: Sendable {
    let admin: X25519SecretKey
    let server: X25519PublicKey
    let presharedKey: PresharedKey

    /// `--admin-key FILE` (a key file as `keygen` writes it), `--server-pubkey BASE64`
    /// (public, so argv is fine) and `--psk-file FILE` (the base64 PSK, mode 0600).
    init(_ options: BenchOptions) throws {
        admin = try KeyFile.readSecretKey(at: options.required("--admin-key"), what: "admin key file (--admin-key)")
        server = try X25519PublicKey(base64: options.required("--server-pubkey"), what: "--server-pubkey")
        let pskPath = options.required("--psk-file")
        presharedKey = try PresharedKey(
            base64: SecretFile.readText(at: pskPath, what: "PSK file (--psk-file)"), what: "the content of PSK file \(pskPath)"
        )
    }

    static let optionNames: Set<String> = ["--admin-key", "--server-pubkey", "--psk-file"]
}
