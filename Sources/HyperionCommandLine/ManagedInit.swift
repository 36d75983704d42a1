#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HyperionConfig
import HyperionCrypto

/// `init` for both executables: a new key pair and a config in the config directory, both
/// written or neither. Without `--force` an existing config or key is never touched.
public enum ManagedInit {
    /// Writes the key file `keyFileName` and the config at `configPath` (both 0600, in the
    /// config directory) and returns the new key.
    public static func write(
        paths: HyperionPaths, configPath: String, keyFileName: String, configText: String, force: Bool, command: String
    ) throws -> X25519SecretKey {
        let keyPath = paths.configDirectory + "/" + keyFileName
        if !force {
            for existing in [configPath, keyPath] where access(existing, F_OK) == 0 {
                throw CommandFailure(
                    "\(existing) already exists, so nothing was changed; `\(command) --force` replaces the config and makes a new key "
                        + "(the other end then needs the new public key)"
                )
            }
        }
        try CommandFailure.wrapping { try paths.prepareDirectory() }
        let key = X25519SecretKey.generate()
        var files = AtomicFileSet()
        defer { files.discard() }
        try CommandFailure.wrapping {
            try files.stage(key.base64 + "\n", at: keyPath, mode: 0o600, what: "the key file")
            try files.stage(configText, at: configPath, mode: 0o600, what: "the config")
            try files.commit()
        }
        return key
    }
}
