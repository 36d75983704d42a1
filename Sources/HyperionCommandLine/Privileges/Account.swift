#if os(Linux)
import Glibc

/// A local account to run as, from the password database (getpwnam_r: /etc/passwd, or
/// whatever NSS is configured with). Looked up while still root, before anything changes.
struct Account: Sendable {
    let name: String
    let uid: uid_t
    let gid: gid_t

    static func named(_ name: String, configPath: String) throws(CommandFailure) -> Account {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 << 10)
        let code = getpwnam_r(name, &entry, &buffer, buffer.count, &result)
        guard code == 0 else {
            throw CommandFailure("could not look up the user \(name) of [server] user in \(configPath): \(String(cString: strerror(code)))")
        }
        guard result != nil else {
            throw CommandFailure(
                "the user \(name) of [server] user in \(configPath) does not exist: create it "
                    + "(useradd --system --no-create-home --shell /usr/sbin/nologin \(name)) or name an existing one"
            )
        }
        guard entry.pw_uid != 0 else {
            throw CommandFailure("[server] user in \(configPath) is \(name), which is uid 0 (root): name an unprivileged account, or remove the key to stay root with only the capabilities the server needs")
        }
        return Account(name: name, uid: entry.pw_uid, gid: entry.pw_gid)
    }
}
#endif
