/// A set of Linux capabilities as the kernel keeps them: bit N is capability N
/// (`include/uapi/linux/capability.h`), the form of the `Cap*:` lines of /proc/PID/status.
public struct CapabilitySet: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let netBindService = CapabilitySet(rawValue: 1 << 10)
    public static let netAdmin = CapabilitySet(rawValue: 1 << 12)
    public static let netRaw = CapabilitySet(rawValue: 1 << 13)

    /// The names of the capabilities the server deals in; others by number.
    static let names: [(CapabilitySet, String)] = [
        (.netBindService, "CAP_NET_BIND_SERVICE"), (.netAdmin, "CAP_NET_ADMIN"), (.netRaw, "CAP_NET_RAW"),
    ]

    /// `CAP_NET_ADMIN CAP_NET_RAW`, or `none`.
    public var description: String {
        var words: [String] = []
        for bit in 0..<64 where rawValue & (1 << UInt64(bit)) != 0 {
            let single = CapabilitySet(rawValue: 1 << UInt64(bit))
            words.append(Self.names.first { $0.0 == single }?.1 ?? "capability \(bit)")
        }
        return words.isEmpty ? "none" : words.joined(separator: " ")
    }
}
