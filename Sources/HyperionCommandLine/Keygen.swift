import HyperionCrypto

/// `keygen [--out FILE]` for both executables (PROTOCOL.md §1): a new X25519 key pair.
///
/// With `--out`, the secret goes into a new mode-0600 file and only the public key is
/// printed. Without it, the secret is printed on stderr, clearly labelled, so that
/// `keygen > pub.txt` never captures a secret in a file with default permissions.
public enum Keygen {
    public static func run(out path: String?, role: String) throws {
        let key = X25519SecretKey.generate()
        if let path {
            do {
                try KeyFile.write(key, to: path)
            } catch let error as HyperionCryptoError {
                throw CommandFailure(error.message)
            }
            printError("wrote the \(role) secret key to \(path) (mode 0600); its public key:")
        } else {
            printError("\(role) secret key (keep it secret; better: keygen --out FILE):")
            printError(key.base64)
            printError("\(role) public key:")
        }
        print(key.publicKey.base64)
    }
}
