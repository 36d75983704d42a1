/// `[limits]` of `server.toml`: each bound with its default and its allowed range.
enum ServerLimitsParser {
    static let keys = [
        "handshake_timeout_ms", "max_connections", "max_streams_per_connection",
        "max_receive_window_kib", "dial_timeout_ms", "drain_timeout_ms",
        "max_unauthenticated", "max_unauthenticated_per_source", "handshakes_per_sec", "handshake_burst",
    ]

    static func parse(_ table: TableReader?) throws -> ServerConfig.Limits {
        try table?.rejectUnknownKeys(known: keys)
        func value(_ key: String, _ range: ClosedRange<Int>, default fallback: Int) throws -> Int {
            try table?.integer(key, in: range) ?? fallback
        }
        let maxUnauthenticated = try value("max_unauthenticated", 1...65_536, default: 1024)
        let perSource = try value("max_unauthenticated_per_source", 1...65_536, default: 8)
        if perSource > maxUnauthenticated, let table {
            throw table.invalid(
                "max_unauthenticated_per_source",
                "is \(perSource), more than max_unauthenticated (\(maxUnauthenticated)); one source could then take every unauthenticated slot"
            )
        }
        return .init(
            handshakeTimeout: .milliseconds(try value("handshake_timeout_ms", 100...60_000, default: 3000)),
            maxConnections: try value("max_connections", 1...65_536, default: 256),
            maxStreamsPerConnection: try value("max_streams_per_connection", 1...16_384, default: 512),
            maxReceiveWindowBytes: try value("max_receive_window_kib", ReceiveWindow.kibRange, default: 16_384) * 1024,
            dialTimeout: .milliseconds(try value("dial_timeout_ms", 100...60_000, default: 3000)),
            drainTimeout: .milliseconds(try value("drain_timeout_ms", 0...600_000, default: 5000)),
            maxUnauthenticated: maxUnauthenticated,
            maxUnauthenticatedPerSource: perSource,
            handshakesPerSecond: try value("handshakes_per_sec", 1...10_000, default: 10),
            handshakeBurst: try value("handshake_burst", 1...10_000, default: 20)
        )
    }
}

/// The yamux receive window bound shared by both configs: at least the protocol's initial
/// 256 KiB window (PROTOCOL.md §5), at most 1 GiB (the window is a u32 of bytes).
enum ReceiveWindow {
    static let kibRange = 256...1_048_576
}
