import HyperionConfig
import HyperionProcess
import HyperionTunnel

#if canImport(Glibc)
import Glibc
#endif

/// What `up`, `down` and `status` of both programs do with a daemon's files and socket.
public enum DaemonControl {
    /// The runtime directory made or checked, and no daemon of `role` running: a stale
    /// socket and pid file are removed, a live daemon is an error.
    public static func prepare(role: String, program: String) throws -> DaemonFiles {
        let files = try DaemonFiles.current(role: role)
        try CommandFailure.wrapping { try files.directory.prepare() }
        switch files.probe() {
        case .running:
            throw CommandFailure("\(program) is already running (pid \(files.pid.map { "\($0)" } ?? "?")); `\(program) status` shows it, `\(program) down` stops it")
        case .stale:
            files.cleanStale()
        case .permissionDenied:
            throw CommandFailure("\(files.socket) belongs to another user; is a daemon of theirs running? Use your own HYPERION_RUNTIME_DIR")
        case .notRunning:
            break
        }
        return files
    }

    /// `up` of either program: no daemon of `role` may run yet; the passphrase `keySource`
    /// needs is taken here, then `program up --foreground` starts in the background with
    /// it, and this returns once that daemon reports its start (or throws its error).
    /// `status` is what to tell the user the status command shows.
    public static func up(
        program: String, role: String, configPath: String, keySource: KeySource?, logLevel: String?, status: String
    ) throws {
        let files = try prepare(role: role, program: program)
        let secret = try DaemonSecret.passphrase(for: keySource, origin: "[key] of \(configPath)")
        var arguments = [
            "up", "--foreground", "--config", configPath,
            "--secret-fd", "\(DaemonLauncher.secretDescriptor)", "--ready-fd", "\(DaemonLauncher.readyDescriptor)",
        ]
        if let logLevel { arguments += ["--log-level", logLevel] }
        let started = try DaemonLauncher.launch(arguments: arguments, secret: secret, files: files)
        print("\(program) is up (pid \(started.pid)): \(started.summary)")
        printError("log: \(files.log); `\(program) status` shows \(status), `\(program) down` stops it")
    }

    /// `down`: asks the daemon to stop, then waits until its process is gone. Not running
    /// is an error: the caller may have meant another runtime directory.
    public static func stop(role: String, program: String, within limit: Duration = .seconds(60)) throws {
        let files = try DaemonFiles.current(role: role)
        let pid = files.pid
        do {
            let reply = try ControlCoding.decode(ControlReply<NoStatus>.self, from: ControlClient.send(.stop, to: files.socket))
            guard reply.ok else { throw CommandFailure("the daemon refused to stop: \(reply.error ?? "no reason given")") }
        } catch let failure as ControlClient.Failure {
            switch failure {
            case .notRunning:
                throw CommandFailure("\(program) is not running: nothing to stop")
            case .stale:
                files.cleanStale()
                throw CommandFailure("\(program) is not running: nothing to stop (removed the stale socket and pid file it left in \(files.directory.path))")
            default:
                throw message(failure, files: files, doing: "down")
            }
        }
        if let pid, !waitForExit(pid, within: limit) {
            throw CommandFailure("the daemon (pid \(pid)) is still running after \(limit.components.seconds) s; see \(files.log)")
        }
        // A daemon that dropped to another user cannot remove its files from root's
        // runtime directory; whoever ran down can.
        files.cleanStale()
        print("\(program) is down")
    }

    /// The daemon's status, or nil when none runs (a stale socket is cleaned up).
    public static func status<Status: Codable & Sendable>(_ type: Status.Type, files: DaemonFiles, program: String) throws -> Status? {
        do {
            let reply = try ControlCoding.decode(ControlReply<Status>.self, from: ControlClient.send(.status, to: files.socket))
            guard reply.ok, let status = reply.status else { throw CommandFailure("the daemon answered with an error: \(reply.error ?? "none given")") }
            return status
        } catch let failure as ControlClient.Failure {
            switch failure {
            case .notRunning: return nil
            case .stale:
                files.cleanStale()
                return nil
            default: throw message(failure, files: files, doing: "status")
            }
        }
    }

    /// Asks a running daemon to read its config again; says what came of it. Nothing when
    /// none runs.
    public static func reloadIfRunning(role: String, program: String) {
        guard let files = try? DaemonFiles.current(role: role) else { return }
        do {
            let reply = try ControlCoding.decode(ControlReply<NoStatus>.self, from: ControlClient.send(.reload, to: files.socket))
            if reply.ok {
                printError("the running daemon applied the change")
            } else {
                printError("warning: the running daemon did not apply the change: \(reply.error ?? "no reason given")")
            }
        } catch ControlClient.Failure.notRunning, ControlClient.Failure.stale {
            return
        } catch {
            printError("warning: could not tell the running daemon (\(error)); `\(program) down` and `up` apply the change")
        }
    }

    private static func message(_ failure: ControlClient.Failure, files: DaemonFiles, doing what: String) -> CommandFailure {
        switch failure {
        case .permissionDenied:
            CommandFailure("cannot open \(files.socket): permission denied; run \(what) as the user that ran up (with sudo if that was root)")
        case .failed(let text):
            CommandFailure("the daemon did not answer: \(text)")
        case .notRunning, .stale:
            CommandFailure("no daemon answers on \(files.socket)")
        }
    }

    /// Waits for `pid` to exit (or become a zombie nobody reaps yet).
    public static func waitForExit(_ pid: pid_t, within limit: Duration) -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if ProcessState.hasExited(pid) { return true }
            usleep(50_000)
        }
        return false
    }
}

/// Numbers in status tables.
public enum StatusFormat {
    public static func bytes(_ count: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        guard unit > 0 else { return "\(count) B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    public static func age(_ seconds: Double) -> String {
        let whole = Int(seconds)
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m\(whole % 60)s" }
        return "\(whole / 3600)h\(whole / 60 % 60)m"
    }

    public static func milliseconds(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) ms"
    }
}
