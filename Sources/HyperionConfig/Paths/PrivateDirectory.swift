#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory only its owner may enter: the config directory (secret keys) and the
/// runtime directory (the control socket).
enum PrivateDirectory {
    /// Makes `path` if it is missing (its parents with the usual 0755, itself 0700) and
    /// checks an existing one: a directory of this user's that nobody else can enter. One of
    /// ours that is wider (made by hand, say) is narrowed to 0700. `what` names it in
    /// messages ("the config directory"), `override` is the variable that picks another.
    static func prepare(_ path: String, what: String, override: String) throws {
        try makeDirectory(path, what: what, override: override)
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw ConfigError(.unreadable, "cannot use \(what) \(path): \(AtomicFileSet.errnoText())")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw ConfigError(.unreadable, "\(what) \(path) is not a directory (a symbolic link or a file); remove it or set \(override)")
        }
        guard info.st_uid == geteuid() else {
            throw ConfigError(.insecureFile, "\(what) \(path) belongs to user \(info.st_uid), not to you (\(geteuid())); use your own, or set \(override)")
        }
        if info.st_mode & 0o077 != 0, chmod(path, 0o700) != 0 {
            throw ConfigError(.insecureFile, "\(what) \(path) is open to others and cannot be narrowed: \(AtomicFileSet.errnoText()); run `chmod 700 \(path)`")
        }
    }

    /// `mkdir -p`, with 0700 for the last component only.
    private static func makeDirectory(_ path: String, what: String, override: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        let components = path.split(separator: "/")
        for (index, component) in components.enumerated() {
            prefix += "/" + component
            let last = index == components.count - 1
            if mkdir(prefix, last ? 0o700 : 0o755) != 0, errno != EEXIST {
                throw ConfigError(.unreadable, "cannot make \(what) \(path) (at \(prefix)): \(AtomicFileSet.errnoText()); set \(override) to a directory you can write")
            }
        }
    }
}
