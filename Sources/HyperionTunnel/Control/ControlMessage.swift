#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The daemons' control protocol over their Unix socket: one request per connection, one
/// JSON line each way, then the daemon closes. Both lines are bounded, so neither side can
/// be made to buffer without limit.
///
///     → {"command":"status"}
///     ← {"ok":true,"status":{…}}          or {"ok":false,"error":"…"}
public enum ControlCommand: String, Codable, Sendable, CaseIterable {
    /// The live status (`hyperion-client status`, `hyperion-server status`).
    case status
    /// Read the config again and apply what changed (`add-server`, `rm-server`).
    case reload
    /// Stop gracefully (`down`): answered first, then the daemon drains and exits.
    case stop
}

public struct ControlRequest: Codable, Sendable, Hashable {
    public var command: ControlCommand

    public init(_ command: ControlCommand) { self.command = command }
}

/// A reply; `status` holds the daemon's own status document (client or server).
public struct ControlReply<Status: Codable & Sendable>: Codable, Sendable {
    public var ok: Bool
    public var error: String?
    public var status: Status?

    public init(ok: Bool, error: String? = nil, status: Status? = nil) {
        self.ok = ok
        self.error = error
        self.status = status
    }
}

/// A reply with no status, for `reload`, `stop` and errors.
public struct NoStatus: Codable, Sendable, Hashable {}

public enum ControlLimits {
    /// A request is a short JSON object.
    public static let maximumRequestBytes = 4096
    /// A status of a thousand servers is a few hundred KiB.
    public static let maximumReplyBytes = 8 << 20
}

public struct ControlProtocolError: Error, CustomStringConvertible, Hashable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Collects one newline-terminated line of at most `limit` bytes; pure, so the daemon and
/// the command share it and tests (and the fuzzer) drive it with any byte split.
public struct ControlLineReader: Sendable {
    public let limit: Int
    private var bytes: [UInt8] = []
    private(set) public var line: [UInt8]?

    public init(limit: Int) { self.limit = limit }

    /// Adds `chunk`; returns the line once complete (without its newline). Throws when the
    /// line would exceed the limit or bytes follow the newline.
    public mutating func feed(_ chunk: some Collection<UInt8>) throws -> [UInt8]? {
        guard line == nil else {
            if chunk.isEmpty { return line }
            throw ControlProtocolError("bytes after the end of the message")
        }
        if let newline = chunk.firstIndex(of: UInt8(ascii: "\n")) {
            let head = chunk[chunk.startIndex..<newline]
            guard bytes.count + head.count <= limit else { throw tooLong }
            guard chunk.index(after: newline) == chunk.endIndex else { throw ControlProtocolError("bytes after the end of the message") }
            bytes.append(contentsOf: head)
            line = bytes
            bytes = []
            return line
        }
        guard bytes.count + chunk.count <= limit else { throw tooLong }
        bytes.append(contentsOf: chunk)
        return nil
    }

    private var tooLong: ControlProtocolError { ControlProtocolError("message longer than \(limit) bytes") }
}

public enum ControlCoding {
    /// `value` as one JSON line.
    public static func line(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(value)) + [UInt8(ascii: "\n")]
    }

    public static func decode<T: Decodable>(_ type: T.Type, from line: [UInt8]) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(line))
        } catch {
            throw ControlProtocolError("not a valid \(T.self): \(error)")
        }
    }
}
