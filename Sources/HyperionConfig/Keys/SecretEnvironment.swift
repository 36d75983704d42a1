#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The environment variables that hold secrets (`passphrase_env`, `env_var`, `key_env`).
///
/// A secret read from the environment is removed from it at once, so that no child
/// process (a shell hook, a `ProxyCommand`, a crash reporter) can inherit it, and its
/// bytes are overwritten where the kernel shows them: `/proc/PID/environ` reads the block
/// the process was started with, which `unsetenv` does not touch, so without the overwrite
/// anyone who may read that file (the same user, root) would still find the secret there
/// for the life of the process. Injected so that tests never touch the real environment.
public struct SecretEnvironment {
    /// The variable's value, or nil when it is not set.
    public var read: (String) -> String?
    /// Removes the variable.
    public var remove: (String) -> Void

    public init(read: @escaping (String) -> String?, remove: @escaping (String) -> Void) {
        self.read = read
        self.remove = remove
    }

    /// The process environment, through `getenv` and `unsetenv`, with the value's bytes
    /// overwritten first (`OriginalEnvironment`). None of this is thread-safe: resolve keys
    /// at startup, before other threads exist.
    public static var process: SecretEnvironment {
        SecretEnvironment(
            read: { name in getenv(name).map { String(cString: $0) } },
            remove: { name in
                OriginalEnvironment.wipeValue(of: name)
                _ = unsetenv(name)
            }
        )
    }

    /// Reads `name` and removes it; nil (and nothing removed) when unset.
    public func take(_ name: String) -> String? {
        guard let value = read(name) else { return nil }
        remove(name)
        return value
    }
}

/// Overwrites a variable's value in the process's memory: in the strings `environ` points
/// to, and, on Linux, in the original environment block at the top of the stack, which is
/// what `/proc/PID/environ` shows (its bounds are `env_start` and `env_end` of
/// `/proc/self/stat`). Every `NAME=value` entry of the block gets its value zeroed, also a
/// second one that `getenv` would never return. `NAME=` stays, so `unsetenv` still finds
/// and removes the entry.
enum OriginalEnvironment {
    static func wipeValue(of name: String) {
        let prefix = Array(name.utf8) + [UInt8(ascii: "=")]
        let table: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        if let entries = table {
            var index = 0
            while let entry = entries[index] {
                wipeEntry(UnsafeMutableRawPointer(entry), limit: nil, prefix: prefix)
                index += 1
            }
        }
        #if os(Linux)
        guard let (start, end) = blockBounds(), start < end, let base = UnsafeMutableRawPointer(bitPattern: start) else { return }
        var offset = 0
        let length = Int(end - start)
        while offset < length {
            let entry = base + offset
            let entryLength = wipeEntry(entry, limit: length - offset, prefix: prefix)
            offset += entryLength + 1
        }
        #endif
    }

    /// Zeroes the value of the NUL-terminated entry at `entry` if it starts with `prefix`;
    /// returns the entry's length. `limit` bounds how far it may read.
    @discardableResult
    private static func wipeEntry(_ entry: UnsafeMutableRawPointer, limit: Int?, prefix: [UInt8]) -> Int {
        let bytes = entry.assumingMemoryBound(to: UInt8.self)
        var length = 0
        while limit.map({ length < $0 }) ?? true, bytes[length] != 0 { length += 1 }
        guard length >= prefix.count, prefix.indices.allSatisfy({ bytes[$0] == prefix[$0] }) else { return length }
        let value = entry + prefix.count
        let valueLength = length - prefix.count
        #if canImport(Glibc)
        explicit_bzero(value, valueLength)
        #else
        for index in 0..<valueLength { value.storeBytes(of: 0, toByteOffset: index, as: UInt8.self) }
        #endif
        return length
    }

    #if os(Linux)
    /// `env_start` and `env_end` (fields 50 and 51 of /proc/self/stat, Linux 3.5+).
    private static func blockBounds() -> (UInt, UInt)? {
        let fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var filled = 0
        while filled < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            filled += n
        }
        // The command name (field 2) is in parentheses and may hold spaces: count fields
        // from the last ')'.
        let text = buffer[..<filled]
        guard let close = text.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = text[(close + 1)...].split(separator: UInt8(ascii: " "))
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        guard fields.count > 48,
              let start = UInt(String(decoding: fields[47], as: UTF8.self)),
              let end = UInt(String(decoding: fields[48], as: UTF8.self))
        else { return nil }
        return (start, end)
    }
    #endif
}
