import CHyperionTestSupport
import Foundation
import Testing

/// Who the processes under test run as.
///
/// The programs are meant to run as an ordinary user, and that is how they are tested: when
/// the test runner is root (as in CI), every child is started as `nobody` (uid and gid
/// 65534, no supplementary groups, no capabilities) through `setpriv`; when it is not
/// root, children run as the runner's own user. A test that needs root for its child says
/// so at the call site and passes `.runner`; the files such a child reads are still the
/// test user's, which root may read anyway.
///
/// Running everything as root hid a bug that made both programs useless for any other user
/// (`SO_DEBUG` set where `TCP_NODELAY` was meant, issue 15).
enum ProcessUser: Sendable {
    /// `nobody` when the runner is root, else the runner itself: the default.
    case testUser
    /// The runner's own identity (root in CI). Only for a child that needs privileges.
    case runner
}

enum TestUser {
    static let uid: uid_t = 65534
    static let gid: gid_t = 65534

    /// Whether children are dropped to `nobody`: the runner is root.
    static var dropsPrivileges: Bool { geteuid() == 0 }

    /// For messages: whom the children run as.
    static var description: String {
        dropsPrivileges ? "nobody (uid \(uid))" : (getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "uid \(geteuid())")
    }

    static var setpriv: String? { SystemTool.path("setpriv") }

    /// The argv that runs `argv` as `user`. As root without setpriv this cannot drop
    /// privileges: that is a test error, not a reason to quietly test as root.
    static func command(_ argv: [String], as user: ProcessUser) throws -> [String] {
        guard user == .testUser, dropsPrivileges else { return argv }
        guard let setpriv else {
            throw TestFailure("the tests run as root, and the programs under test must run as an ordinary user: setpriv (util-linux) is needed to start them as nobody")
        }
        return [setpriv, "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--inh-caps=-all", "--"] + argv
    }

    /// Makes `path` the test user's, so its programs can use it: a fixture's directory and
    /// its key files (which the programs only accept with mode 0600, so they must be the
    /// reader's own). Nothing to do when the runner is the test user.
    static func own(_ path: String) throws {
        guard dropsPrivileges else { return }
        guard chown(path, uid, gid) == 0 else {
            throw TestFailure("cannot hand \(path) to \(description): \(String(cString: strerror(errno)))")
        }
    }

    // MARK: Binaries

    /// The directory to run hyperion-server and hyperion-client from: the build's own, or,
    /// when the test user cannot execute the binaries there (a clone under /root, say),
    /// copies made once per test run in a world-readable temporary directory.
    static var binaryDirectory: String { binaries.directory }

    /// The Go interop peer, from the same place (copied with the others when needed).
    static var goPeer: String? { binaries.goPeer }

    private static let binaries: (directory: String, goPeer: String?) = locateBinaries()

    private static func locateBinaries() -> (directory: String, goPeer: String?) {
        let built = TestEnvironment.builtBinaryDirectory
        let goPeer = TestEnvironment.builtGoPeer
        let programs = [built + "/hyperion-server", built + "/hyperion-client"] + (goPeer.map { [$0] } ?? [])
        guard dropsPrivileges, setpriv != nil else { return (built, goPeer) }
        let blocked = programs.filter { !canExecute($0) }
        guard !blocked.isEmpty else { return (built, goPeer) }

        let copies = NSTemporaryDirectory() + "hyperion-test-binaries-\(getpid())"
        do {
            try? FileManager.default.removeItem(atPath: copies)
            try FileManager.default.createDirectory(atPath: copies, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            for program in programs {
                let copy = copies + "/" + URL(fileURLWithPath: program).lastPathComponent
                try FileManager.default.copyItem(atPath: program, toPath: copy)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy)
            }
        } catch {
            print("cannot copy the binaries for \(description) to \(copies): \(error); the process tests will fail to start them")
            return (built, goPeer)
        }
        copiedBinaries = copies
        atexit { if let copies = TestUser.copiedBinaries { try? FileManager.default.removeItem(atPath: copies) } }
        print("NOTE: \(description) cannot execute \(blocked.joined(separator: ", ")) (a directory on the way is closed to it); "
            + "the process tests run copies from \(copies), removed at exit")
        return (copies, goPeer.map { copies + "/" + URL(fileURLWithPath: $0).lastPathComponent })
    }

    nonisolated(unsafe) private static var copiedBinaries: String?

    /// Whether the test user can execute `path`, asked of the kernel as that user
    /// (`test -x` under setpriv): permissions, ACLs and every directory on the way count.
    private static func canExecute(_ path: String) -> Bool {
        guard let argv = try? command(["/usr/bin/test", "-x", path], as: .testUser) else { return false }
        var child: pid_t = 0
        let cArgv = argv.map { strdup($0) } + [nil]
        defer { cArgv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let envp: [UnsafeMutablePointer<CChar>?] = [nil]
        guard posix_spawn(&child, argv[0], &actions, nil, cArgv, envp) == 0 else { return false }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        return status == 0
    }
}
