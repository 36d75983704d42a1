#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing files that hold one base64 secret (key files, PSK files).
///
/// Like ssh, Hyperion refuses a secret file that group or others could read or write:
/// a key that others can read is not a secret any more, and saying so loudly is better
/// than quietly using it.
public enum SecretFile {
    /// The largest secret file read; a key file is 45 bytes.
    static let maximumSize = 4096

    /// Reads the text of a secret file after checking that only its owner can use it.
    /// `what` names the file's role in errors, for example `"server key file"`.
    public static func readText(at path: String, what: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw HyperionCryptoError(.keyFileUnusable, "cannot open \(what) \(path): \(errnoText())")
        }
        defer { close(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw HyperionCryptoError(.keyFileUnusable, "cannot stat \(what) \(path): \(errnoText())")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw HyperionCryptoError(.keyFileUnusable, "\(what) \(path) is not a regular file")
        }
        let permissions = info.st_mode & 0o777
        if permissions & 0o077 != 0 {
            throw HyperionCryptoError(
                .insecureKeyFile,
                "\(what) \(path) has mode \(octal(permissions)): group or others can use it, so it is refused. "
                    + "Run `chmod 600 \(path)`, and replace the key if others may have read it."
            )
        }

        var bytes = [UInt8](repeating: 0, count: maximumSize + 1)
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw HyperionCryptoError(.keyFileUnusable, "cannot read \(what) \(path): \(errnoText())")
            }
            if n == 0 { break }
            filled += n
        }
        guard filled <= maximumSize else {
            throw HyperionCryptoError(.keyFileUnusable, "\(what) \(path) is larger than \(maximumSize) bytes; it is not a key file")
        }
        defer { for i in bytes.indices { bytes[i] = 0 } }
        return String(decoding: bytes[0..<filled], as: UTF8.self)
    }

    /// Writes `text` to a new file at `path` with mode 0600. Refuses to replace an existing
    /// file (a lost key cannot be recovered). On any failure the partial file is removed.
    public static func createText(_ text: String, at path: String, what: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = errno == EEXIST ? "it already exists; remove it or choose another path" : errnoText()
            throw HyperionCryptoError(.keyFileUnusable, "cannot create \(what) \(path): \(reason)")
        }
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(path) }
        }
        do {
            try DescriptorFill.fill(fd, with: text, mode: 0o600)
        } catch {
            let doing = switch error.step {
            case .mode: "set mode 0600 on"
            case .write: "write"
            case .flush: "flush"
            }
            throw HyperionCryptoError(.keyFileUnusable, "cannot \(doing) \(what) \(path): \(error.reason)")
        }
        ok = true
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func octal(_ mode: mode_t) -> String {
        let digits = String(UInt32(mode), radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// Key files (PROTOCOL.md §1): the base64 secret key followed by a newline, mode 0600.
public enum KeyFile {
    /// Generates nothing; writes `key` to a new file at `path`.
    public static func write(_ key: X25519SecretKey, to path: String) throws {
        try SecretFile.createText(key.base64 + "\n", at: path, what: "key file")
    }

    /// Loads a secret key, refusing files that group or others can read.
    public static func readSecretKey(at path: String, what: String = "key file") throws -> X25519SecretKey {
        let text = try SecretFile.readText(at: path, what: what)
        return try X25519SecretKey(base64: text, what: "the content of \(what) \(path)")
    }
}
