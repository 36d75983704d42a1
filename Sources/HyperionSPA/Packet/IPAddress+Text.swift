// MARK: - Canonical text

extension IPAddress: CustomStringConvertible {
    /// Dotted decimal for IPv4; RFC 5952 for IPv6: lowercase hex without leading zeros,
    /// the longest run of two or more zero groups (the first on a tie) as `::`, and the
    /// IPv4-mapped range `::ffff:0:0/96` with a dotted tail (RFC 5952 §5).
    public var description: String {
        switch family {
        case .v4:
            return bytes.map(String.init).joined(separator: ".")
        case .v6:
            return Self.formatV6(groups, bytes: bytes)
        }
    }

    private static func formatV6(_ groups: [UInt16], bytes: [UInt8]) -> String {
        if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xFFFF {
            return "::ffff:" + bytes[12..<16].map(String.init).joined(separator: ".")
        }
        let run = longestZeroRun(groups)
        guard let run else {
            return groups.map { String($0, radix: 16) }.joined(separator: ":")
        }
        let head = groups[..<run.lowerBound].map { String($0, radix: 16) }.joined(separator: ":")
        let tail = groups[run.upperBound...].map { String($0, radix: 16) }.joined(separator: ":")
        return head + "::" + tail
    }

    /// The first longest run of at least two zero groups, if any.
    private static func longestZeroRun(_ groups: [UInt16]) -> Range<Int>? {
        var best: Range<Int>?
        var index = 0
        while index < groups.count {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < groups.count && groups[end] == 0 { end += 1 }
            if end - index >= 2 && end - index > (best?.count ?? 0) { best = index..<end }
            index = end
        }
        return best
    }
}
