#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a config file's bytes as UTF-8 text, with a size bound.
enum ConfigFileText {
    /// Config files are a few kilobytes; anything past this is not one.
    static let maximumSize = 1 << 20

    static func contents(at path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ConfigError(.unreadable, file: path, "cannot open the config file: \(errnoText()); check the path, or pass --config")
        }
        defer { close(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ConfigError(.unreadable, file: path, "cannot stat the config file: \(errnoText())")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ConfigError(.unreadable, file: path, "not a regular file; give the path of a .toml file")
        }

        var bytes = [UInt8](repeating: 0, count: maximumSize + 1)
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ConfigError(.unreadable, file: path, "cannot read the config file: \(errnoText())")
            }
            if n == 0 { break }
            filled += n
        }
        guard filled <= maximumSize else {
            throw ConfigError(.unreadable, file: path, "larger than \(maximumSize) bytes; this is not a Hyperion config file")
        }
        guard let text = String(validating: bytes[..<filled], as: UTF8.self) else {
            throw ConfigError(.unreadable, file: path, "not UTF-8 text; save the file as UTF-8")
        }
        return text
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
