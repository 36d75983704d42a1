import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The open-files limit of a tunnel process.
///
/// Every stream holds a descriptor on each end (the client's local connection, the
/// server's dial to 127.0.0.1), so the usual soft limit of 1024 caps a process at about a
/// thousand streams. The soft limit is raised to the hard limit at start, as servers
/// commonly do; the hard limit is the administrator's to set.
public enum OpenFilesLimit {
    /// Raises the soft limit to the hard limit and logs what it became.
    public static func raise(logger: Logger) {
        var limit = rlimit()
        guard getrlimit(openFiles, &limit) == 0 else { return }
        let before = limit.rlim_cur
        guard before < limit.rlim_max else {
            logger.info("open-files limit: \(before)")
            return
        }
        limit.rlim_cur = limit.rlim_max
        if setrlimit(openFiles, &limit) == 0 {
            logger.info("open-files limit raised from \(before) to \(limit.rlim_max)")
        } else {
            logger.notice("could not raise the open-files limit from \(before) (errno \(errno)); each stream needs a descriptor")
        }
    }

    #if os(Linux)
    private static let openFiles = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let openFiles = RLIMIT_NOFILE
    #endif
}
