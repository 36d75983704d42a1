import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Turns NIO's connect errors into a `TunnelError` that names the address and the likely
/// cause, so `doctor` and the logs can say what to check.
enum ConnectErrorDescription {
    static func tunnelError(_ error: Error, address: String, timeout: TimeAmount) -> TunnelError {
        if let error = error as? TunnelError { return error }
        if case ChannelError.connectTimeout = error {
            return TunnelError(.connectTimedOut, "TCP connect to \(address) timed out after \(timeout.milliseconds) ms (no answer: firewall drop, SPA closed, or host down)")
        }
        if let error = error as? NIOConnectionError {
            if let dns = error.dnsAError ?? error.dnsAAAAError, error.connectionErrors.isEmpty {
                return TunnelError(.connectFailed, "cannot resolve \(address): \(dns)")
            }
            if let first = error.connectionErrors.first {
                return tunnelError(first.error, address: address, timeout: timeout)
            }
        }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED:
                return TunnelError(.connectRefused, "TCP connect to \(address) refused (nothing listening there, or a firewall rejects)")
            case ETIMEDOUT:
                return TunnelError(.connectTimedOut, "TCP connect to \(address) timed out (firewall drop, SPA closed, or host down)")
            case ENETUNREACH, EHOSTUNREACH:
                return TunnelError(.connectFailed, "no route to \(address) (\(String(cString: strerror(error.errnoCode))))")
            default:
                break
            }
        }
        return TunnelError(.connectFailed, "TCP connect to \(address) failed: \(error)")
    }
}
