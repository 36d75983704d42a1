import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Log lines for journald, used when stderr is the journal (`JOURNAL_STREAM`, as systemd
/// sets it for a service): no timestamp of our own (the journal keeps one), and each line
/// prefixed with its syslog priority (`<5>`), which journald reads as the entry's level.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level = .notice
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        // One entry per line: a message with line breaks would otherwise split into several
        // entries, all but the first without the priority.
        let message = "\(event.message)".replacing("\n", with: " ")
        let line = "<\(Self.priority(event.level))>\(label): \(message)\(fields.isEmpty ? "" : " [\(fields)]")\n"
        writeStandardError(line)
    }

    /// Whether stderr is the journal stream systemd announced: `JOURNAL_STREAM` is
    /// `device:inode` of that stream, and a program whose stderr was redirected since must
    /// not use the journal's format.
    public static func stderrIsJournal(_ environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(2, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
