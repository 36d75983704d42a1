import ArgumentParser

/// A failure to show the user as one clear line on stderr, then exit non-zero.
///
/// ArgumentParser prints an error's `description` after "Error: "; wrapping every library
/// error in this type keeps that line free of Swift type names.
public struct CommandFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { self.description = message }
}

/// Writes one line to standard error.
public func printError(_ line: String) {
    var standardError = StandardError()
    print(line, to: &standardError)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        writeStandardError(string)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `write(2)` on descriptor 2: unbuffered, so messages interleave correctly with a
/// child's output, and free of the C `stderr` global that Swift 6 flags as shared state.
func writeStandardError(_ string: String) {
    var bytes = Array(string.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            return
        }
        bytes = bytes.dropFirst(written)
    }
}
