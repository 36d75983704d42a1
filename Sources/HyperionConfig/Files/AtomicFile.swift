#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import HyperionCrypto

/// Replacing a file so that a crash at any moment leaves either the old content or the
/// new, never a mix: the new text goes to a temporary file in the same directory, is
/// flushed to disk, and is renamed over the target; then the directory is flushed so the
/// rename itself survives a power cut.
///
/// Several files that belong together (a key and the config that names it) are staged
/// first and renamed only when every one of them was written, so a failure while writing
/// changes nothing at all.
public struct AtomicFileSet {
    public struct Staged {
        let temporary: String
        let target: String
    }

    private var staged: [Staged] = []

    public init() {}

    /// Writes `text` with `mode` to a temporary file next to `target`. `what` names the
    /// file in errors ("the client config").
    public mutating func stage(_ text: String, at target: String, mode: mode_t, what: String) throws {
        let directory = RelativePath.directory(of: target)
        let base = target.split(separator: "/").last.map(String.init) ?? target
        var fd: Int32 = -1
        var temporary = ""
        for _ in 0..<8 {
            temporary = "\(directory)/.\(base).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else {
            throw ConfigError(.unreadable, "cannot write \(what) in \(directory): \(Self.errnoText()); check that the directory exists and is yours")
        }
        var written = false
        defer {
            close(fd)
            if !written { unlink(temporary) }
        }
        do {
            try DescriptorFill.fill(fd, with: text, mode: mode)
        } catch {
            let doing = switch error.step {
            case .mode: "set the mode of"
            case .write: "write"
            case .flush: "flush to disk"
            }
            throw ConfigError(.unreadable, "cannot \(doing) \(what) (\(temporary)): \(error.reason)")
        }
        written = true
        staged.append(Staged(temporary: temporary, target: target))
    }

    /// Renames every staged file over its target, in the order staged, and flushes the
    /// directories. A rename that fails leaves the files renamed before it in place and
    /// removes the rest of the temporary files.
    public mutating func commit() throws {
        defer { discard() }
        while !staged.isEmpty {
            let file = staged.removeFirst()
            guard rename(file.temporary, file.target) == 0 else {
                let reason = Self.errnoText()
                unlink(file.temporary)
                throw ConfigError(.unreadable, file: file.target, "cannot replace the file: \(reason)")
            }
            Self.flushDirectory(of: file.target)
        }
    }

    /// Removes every staged temporary file; the targets stay as they were.
    public mutating func discard() {
        for file in staged { unlink(file.temporary) }
        staged.removeAll()
    }

    /// Writes one file atomically.
    public static func replace(_ target: String, with text: String, mode: mode_t, what: String) throws {
        var set = AtomicFileSet()
        try set.stage(text, at: target, mode: mode, what: what)
        try set.commit()
    }

    private static func flushDirectory(of path: String) {
        let fd = open(RelativePath.directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
