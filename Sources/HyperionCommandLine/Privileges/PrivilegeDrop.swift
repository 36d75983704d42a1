#if os(Linux)
import CHyperionLinux
import Foundation
import Glibc

/// Gives up what hyperion-server no longer needs once its sockets are open (`PrivilegePlan`):
/// the user, the capabilities, and always no-new-privileges, no core dumps and not dumpable.
///
/// Capabilities, keep-caps and no-new-privileges are per thread, and by now the server has
/// event-loop, sniffer and dispatch threads, so every change is made in every thread
/// (`chyperion_restrict_all_threads`), and afterwards every thread's /proc status is read
/// back: a thread the drop missed is an error, never a silent half-drop.
public enum PrivilegeDrop {
    /// How long one thread may take to answer; generous, for a loaded machine.
    static let threadTimeoutMilliseconds: Int32 = 10_000

    /// Applies `plan`; `configPath` names the config in messages. Returns what was done,
    /// for the log.
    @discardableResult
    public static func apply(_ plan: PrivilegePlan, configPath: String) throws(CommandFailure) -> String {
        try check(chyperion_disable_core_dumps(), doing: "set the core file size limit to 0")
        let expected: (uid: uid_t, gid: gid_t)?
        let summary: String
        switch plan.identity {
        case .switchTo(let user):
            let account = try Account.named(user, configPath: configPath)
            // Keep-caps first in every thread, or the uid switch empties their permitted sets.
            try everyThread(CHYPERION_THREAD_KEEP_CAPABILITIES, plan)
            try check(chyperion_switch_user(account.uid, account.gid), doing: "switch to the user \(user) (uid \(account.uid), gid \(account.gid))")
            try everyThread(CHYPERION_THREAD_RESTRICT_CAPABILITIES | CHYPERION_THREAD_NO_NEW_PRIVILEGES, plan)
            expected = (account.uid, account.gid)
            summary = "running as \(user) (uid \(account.uid)) with \(plan.kept.isEmpty ? "no capabilities" : "\(plan.kept) (ambient \(plan.ambient))")"
        case .stayRoot:
            try everyThread(CHYPERION_THREAD_RESTRICT_CAPABILITIES | CHYPERION_THREAD_NO_NEW_PRIVILEGES, plan)
            expected = nil
            summary = "running as root with \(plan.kept.isEmpty ? "no capabilities" : "only \(plan.kept)") (set [server] user to leave uid 0)"
        case .unprivileged(let user):
            if let user {
                let account = try Account.named(user, configPath: configPath)
                guard account.uid == geteuid() else {
                    throw CommandFailure(
                        "[server] user in \(configPath) is \(user), but the server was started as uid \(geteuid()), not root, so it cannot switch: start it as root or as \(user), or remove the key"
                    )
                }
            }
            try everyThread(CHYPERION_THREAD_NO_NEW_PRIVILEGES, plan)
            expected = nil
            summary = "not started as root: nothing to drop; no-new-privileges set"
        }
        // After the uid switch, which resets it to the fs.suid_dumpable sysctl anyway.
        try check(chyperion_set_not_dumpable(), doing: "mark the process not dumpable")
        try verifyEveryThread(plan, expected: expected)
        return summary + ", not dumpable, no core dumps"
    }

    private static func everyThread(_ flags: Int32, _ plan: PrivilegePlan) throws(CommandFailure) {
        var change = chyperion_thread_change(flags: flags, keep: plan.kept.rawValue, inheritable: plan.ambient.rawValue, ambient: plan.ambient.rawValue)
        var failedThread: pid_t = 0
        let result = chyperion_restrict_all_threads(&change, threadTimeoutMilliseconds, &failedThread)
        guard result == 0 else {
            let which = failedThread == 0 ? "" : " (thread \(failedThread))"
            throw CommandFailure(
                "could not drop privileges in every thread\(which): \(String(cString: strerror(-result))); "
                    + "the server does not run half-dropped. Report this, or run it as an ordinary user with the capabilities granted (see docs/SECURITY.md, Privileges)"
            )
        }
    }

    /// Reads /proc/self/task/*/status and throws when any thread holds more or less than
    /// the plan says.
    static func verifyEveryThread(_ plan: PrivilegePlan, expected: (uid: uid_t, gid: gid_t)?) throws(CommandFailure) {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        guard !tasks.isEmpty else { throw CommandFailure("could not list /proc/self/task to check the privilege drop") }
        for task in tasks {
            // Foundation reads to the end, though /proc reports a size of 0.
            guard let data = FileManager.default.contents(atPath: "/proc/self/task/\(task)/status") else { continue } // exited meanwhile
            guard let credentials = ThreadCredentials(procStatus: String(decoding: data, as: UTF8.self)) else {
                throw CommandFailure("could not read the credentials of thread \(task) in /proc to check the privilege drop")
            }
            let problems = credentials.mismatches(plan, uid: expected?.uid, gid: expected?.gid)
            guard problems.isEmpty else {
                throw CommandFailure("the privilege drop did not take in thread \(task): \(problems.joined(separator: "; "))")
            }
        }
    }

    private static func check(_ result: Int32, doing what: String) throws(CommandFailure) {
        guard result == 0 else { throw CommandFailure("could not \(what): \(String(cString: strerror(-result)))") }
    }
}
#endif
