#if os(Linux)
import Synchronization

/// Counters of a `TunPacketLoop`, published by its thread after every batch.
public struct TunLoopStatistics: Hashable, Sendable {
    /// Packets read from the device and handed to the handler.
    public var packetsRead: UInt64 = 0
    /// Packets the device accepted (`writeBack` and `write`).
    public var packetsWritten: UInt64 = 0
    /// Writes refused with EAGAIN or ENOBUFS and dropped: TCP in the kernel retransmits.
    public var writesDropped: UInt64 = 0
    /// Writes that failed otherwise (EINVAL for a malformed packet or header, EIO, ...).
    public var writeErrors: UInt64 = 0
    /// Reads dropped because the IP header's length differs from the bytes read (a
    /// truncated read), or the bytes are not IPv4 or IPv6 at all.
    public var lengthMismatchDrops: UInt64 = 0
    /// Reads that failed with something other than EAGAIN.
    public var readErrors: UInt64 = 0
    /// Commands handed to the handler.
    public var commandsHandled: UInt64 = 0
    /// `send` calls refused because the mailbox was full (or the loop stopped).
    public var mailboxFull: UInt64 = 0

    public init() {}
}

/// The loop thread's latest counters, read from any thread.
final class TunStatisticsBox: Sendable {
    let value = Mutex(TunLoopStatistics())
}
#endif
