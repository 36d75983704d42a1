#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Asks for the shared-key passphrase on the controlling terminal, without echo.
///
/// It talks to `/dev/tty`, not stdin/stdout, so it works with redirected streams and
/// never mixes the prompt into piped output. While it reads, the terminal has ECHO off and
/// also ISIG off, with the interrupt character (Ctrl-C) made an end-of-line: Ctrl-C then
/// ends the read instead of killing the process, and the saved settings are always put
/// back by the `defer` below before the error is thrown. (A kill from elsewhere can still
/// leave echo off; `stty sane` repairs that.)
public struct PassphrasePrompt: Sendable {
    /// The longest passphrase read, in bytes.
    public static let maximumLength = 1024

    /// The terminal device; injectable so tests can point it at a pseudo-terminal or at
    /// nothing.
    public var terminalPath: String

    public init(terminalPath: String = "/dev/tty") {
        self.terminalPath = terminalPath
    }

    /// Prints `prompt`, reads one line without echo and returns it without the line end.
    public func ask(_ prompt: String) throws -> String {
        let fd = open(terminalPath, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { throw noTerminal(String(cString: strerror(errno))) }
        defer { close(fd) }

        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { throw noTerminal("it is not a terminal") }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO | ECHONL | ISIG)
        quiet.c_lflag |= tcflag_t(ICANON)
        let interrupt = withUnsafeMutableBytes(of: &quiet.c_cc) { cc in
            cc[Int(VEOL)] = cc[Int(VINTR)]
            return cc[Int(VINTR)]
        }
        // TCSAFLUSH drops anything typed before the prompt appeared.
        guard tcsetattr(fd, TCSAFLUSH, &quiet) == 0 else { throw noTerminal("echo cannot be turned off") }
        defer {
            // Always: restore the terminal (dropping unread input, so a too-long passphrase's
            // tail never reaches the shell), then end the line the user could not see end.
            _ = tcsetattr(fd, TCSAFLUSH, &saved)
            writeAll(fd, "\n")
        }
        writeAll(fd, prompt)

        var line = [UInt8](repeating: 0, count: Self.maximumLength + 1)
        defer { wipe(&line) }
        var count = 0
        while true {
            var byte: UInt8 = 0
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw noTerminal("reading it failed: \(String(cString: strerror(errno)))") }
            if n == 0 || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            if byte == interrupt && interrupt != 0 {
                throw ConfigError(.cancelled, "the passphrase prompt was interrupted")
            }
            guard count < Self.maximumLength else {
                throw ConfigError(.invalidValue, "the passphrase is longer than \(Self.maximumLength) bytes")
            }
            line[count] = byte
            count += 1
        }
        guard let passphrase = String(validating: line[..<count], as: UTF8.self) else {
            throw ConfigError(.invalidValue, "the passphrase is not valid UTF-8; check the terminal's character encoding")
        }
        return passphrase
    }

    private func noTerminal(_ reason: String) -> ConfigError {
        ConfigError(
            .noTerminal,
            "no terminal to ask for the passphrase (\(terminalPath): \(reason)); "
                + "set passphrase_env in [key] to name an environment variable that holds it"
        )
    }

    private func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }

    /// Overwrites the buffer that held the passphrase. Best effort: the returned String
    /// is a copy this code cannot reach.
    private func wipe(_ buffer: inout [UInt8]) {
        buffer.withUnsafeMutableBytes { bytes in
            #if canImport(Glibc)
            if let base = bytes.baseAddress { explicit_bzero(base, bytes.count) }
            #else
            for i in bytes.indices { bytes[i] = 0 }
            #endif
        }
    }
}
