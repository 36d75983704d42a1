#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension HyperionPaths {
    /// Makes the config directory if it is missing (its parents with the usual 0755, itself
    /// 0700: it holds the secret keys) and checks an existing one: it must be a directory
    /// of this user's that nobody else can enter. A directory of ours that is wider (made
    /// by hand, say) is narrowed to 0700, as the files in it are nobody else's business.
    public func prepareDirectory() throws {
        try Self.makeDirectory(configDirectory, mode: 0o700)
        var info = stat()
        guard lstat(configDirectory, &info) == 0 else {
            throw ConfigError(.unreadable, "cannot use the config directory \(configDirectory): \(AtomicFileSet.errnoText())")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw ConfigError(.unreadable, "the config directory \(configDirectory) is not a directory (a symbolic link or a file); remove it or set HYPERION_HOME")
        }
        guard info.st_uid == geteuid() else {
            throw ConfigError(.insecureFile, "the config directory \(configDirectory) belongs to user \(info.st_uid), not to you (\(geteuid())); use your own, or set HYPERION_HOME")
        }
        if info.st_mode & 0o077 != 0, chmod(configDirectory, 0o700) != 0 {
            throw ConfigError(.insecureFile, "the config directory \(configDirectory) is open to others and cannot be narrowed: \(AtomicFileSet.errnoText()); run `chmod 700 \(configDirectory)`")
        }
    }

    /// `mkdir -p`, with `mode` for the last component only.
    private static func makeDirectory(_ path: String, mode: mode_t) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        let components = path.split(separator: "/")
        for (index, component) in components.enumerated() {
            prefix += "/" + component
            let last = index == components.count - 1
            if mkdir(prefix, last ? mode : 0o755) != 0, errno != EEXIST {
                throw ConfigError(.unreadable, "cannot make the config directory \(path) (at \(prefix)): \(AtomicFileSet.errnoText()); set HYPERION_HOME to a directory you can write")
            }
        }
    }
}
