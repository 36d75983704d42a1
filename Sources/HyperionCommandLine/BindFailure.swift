#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one line a user sees when a listening address cannot be bound: which address, for
/// what, why in plain words, and what to do, instead of a socket call's error text.
public enum BindFailure {
    /// `code` is the errno of the failed bind, when known; `detail` the error's own text,
    /// used when the errno has no plainer explanation.
    public static func message(address: String, purpose: String, program: String, code: Int32?, detail: String) -> String {
        let reason: String
        switch code {
        case EADDRINUSE?:
            reason = "the address is already in use by another program (another \(program) still running?); stop that program or choose another port"
        case EACCES?:
            reason = "permission denied: a port below 1024 needs root or CAP_NET_BIND_SERVICE; choose a port above 1023"
        case EADDRNOTAVAIL?:
            reason = "no network interface of this host has that address; use one of its addresses, or 127.0.0.1"
        default:
            reason = detail
        }
        return "cannot listen on \(address) for \(purpose): \(reason)"
    }
}
