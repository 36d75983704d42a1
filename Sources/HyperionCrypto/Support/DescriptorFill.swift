#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Filling a file just created: what writing a key file and staging a config share.
public enum DescriptorFill {
    public enum Step: Sendable {
        case mode, write, flush
    }

    public struct Failure: Error, Sendable {
        public let step: Step
        /// The errno of the failed call.
        public let code: Int32

        /// The system's text for `code`.
        public var reason: String { String(cString: strerror(code)) }
    }

    /// Sets `mode` on `fd` exactly (open's mode is narrowed by the umask, and a key file must
    /// be exactly 0600 whatever the umask says), writes all of `text`, and flushes it to
    /// disk. The copy of the text it made is zeroed before returning: it may be a secret.
    public static func fill(_ fd: Int32, with text: String, mode: mode_t) throws(Failure) {
        guard fchmod(fd, mode) == 0 else { throw Failure(step: .mode, code: errno) }
        var bytes = Array(text.utf8)
        defer { for index in bytes.indices { bytes[index] = 0 } }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(step: .write, code: errno)
            }
            offset += n
        }
        guard fsync(fd) == 0 else { throw Failure(step: .flush, code: errno) }
    }
}
