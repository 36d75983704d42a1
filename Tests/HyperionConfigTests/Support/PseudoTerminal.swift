#if os(Linux)
import Foundation
import Glibc

/// A pseudo-terminal for prompt tests. The prompt opens the replica side by path; the test
/// holds the controller side and plays the keyboard and the screen.
final class PseudoTerminal: @unchecked Sendable {  // fds are only read after setup, or by one thread at a time
    let controller: Int32
    let replicaPath: String
    /// Kept open so the terminal's settings can be checked after the prompt closed its fd.
    let replica: Int32

    struct Failure: Error { let what: String }

    init() throws {
        let c = try CPseudoTerminalCalls()
        controller = c.posixOpenpt(O_RDWR | O_NOCTTY)
        guard controller >= 0, c.grantpt(controller) == 0, c.unlockpt(controller) == 0, let name = c.ptsname(controller) else {
            throw Failure(what: "no pseudo-terminal")
        }
        replicaPath = String(cString: name)
        replica = open(replicaPath, O_RDWR | O_NOCTTY)
        guard replica >= 0 else { throw Failure(what: "cannot open \(replicaPath)") }
    }

    deinit {
        close(replica)
        close(controller)
    }

    var echoIsOn: Bool { localFlags & tcflag_t(ECHO) != 0 }
    var signalsAreOn: Bool { localFlags & tcflag_t(ISIG) != 0 }

    private var localFlags: tcflag_t {
        var settings = termios()
        tcgetattr(replica, &settings)
        return settings.c_lflag
    }

    /// On another thread: waits until `prompt` appears on the screen, types `line`, then
    /// collects what else is shown until the screen has been quiet for a moment.
    func typeAfterPrompt(_ prompt: String, line: String) -> Typist {
        let typist = Typist()
        let thread = Thread { [self] in
            var screen = [UInt8]()
            var typed = false
            while true {
                var poller = pollfd(fd: controller, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, typed ? 300 : 5000) > 0 else { break }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = read(controller, &buffer, buffer.count)
                if n <= 0 { break }
                screen += buffer[..<n]
                if !typed, String(decoding: screen, as: UTF8.self).contains(prompt) {
                    typed = true
                    _ = Array(line.utf8).withUnsafeBytes { write(controller, $0.baseAddress, $0.count) }
                }
            }
            typist.finish(String(decoding: screen, as: UTF8.self))
        }
        thread.start()
        return typist
    }

    /// posix_openpt and friends sit behind _XOPEN_SOURCE in glibc's headers, so Swift's
    /// Glibc module does not import them; look them up at run time instead.
    struct CPseudoTerminalCalls {
        let posixOpenpt: @convention(c) (Int32) -> Int32
        let grantpt: @convention(c) (Int32) -> Int32
        let unlockpt: @convention(c) (Int32) -> Int32
        let ptsname: @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?

        init() throws {
            func symbol<T>(_ name: String, as type: T.Type) throws -> T {
                guard let pointer = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { throw Failure(what: "no \(name)") }
                return unsafeBitCast(pointer, to: type)
            }
            posixOpenpt = try symbol("posix_openpt", as: (@convention(c) (Int32) -> Int32).self)
            grantpt = try symbol("grantpt", as: (@convention(c) (Int32) -> Int32).self)
            unlockpt = try symbol("unlockpt", as: (@convention(c) (Int32) -> Int32).self)
            ptsname = try symbol("ptsname", as: (@convention(c) (Int32) -> UnsafeMutablePointer<CChar>?).self)
        }
    }

    final class Typist: @unchecked Sendable {  // `screen` is guarded by `done`
        private let done = DispatchSemaphore(value: 0)
        private var screen = ""

        func finish(_ screen: String) {
            self.screen = screen
            done.signal()
        }

        func wait() -> String {
            done.wait()
            return screen
        }
    }
}
#endif
