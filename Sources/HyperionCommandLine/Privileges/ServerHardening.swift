import HyperionConfig
import HyperionCrypto
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// What `hyperion-server run` does once the knock gate and the tunnel listener are up:
/// lock its secrets in memory, then drop to `PrivilegePlan.server` (docs/SECURITY.md,
/// "Privileges"). Locking comes first, while root may lock past RLIMIT_MEMLOCK.
public enum ServerHardening {
    public static func apply(config: ServerConfig, presharedKey: PresharedKey, serverKey: X25519SecretKey, logger: Logger) throws(CommandFailure) {
        #if os(Linux)
        var secretKeyBytes = serverKey.rawBytes
        let locked = [
            ("PSK", SecretMemory.lockStorage(of: presharedKey, secret: presharedKey.rawBytes)),
            ("static key", SecretMemory.lockStorage(of: serverKey, secret: secretKeyBytes)),
        ]
        secretKeyBytes.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        for (name, isLocked) in locked where !isLocked {
            logger.warning("could not lock the \(name) in memory: it may be swapped out (see Privileges in docs/SECURITY.md)")
        }
        let plan = PrivilegePlan.server(knockEnabled: config.knock.isEnabled, user: config.server.user, startedAsRoot: geteuid() == 0)
        let summary = try PrivilegeDrop.apply(plan, configPath: config.path)
        if case .unprivileged = plan.identity {
            logger.info("\(summary)")
        } else {
            logger.notice("privileges dropped: \(summary)")
        }
        #else
        logger.info("privileges: dropping them is implemented for Linux only")
        #endif
    }
}
