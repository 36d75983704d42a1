/// IPv4 or IPv6: every SPA path is checked over both, because the gate keeps one
/// nftables set per family and parses both IP headers itself.
enum AddressFamily: String, Sendable, CaseIterable, CustomStringConvertible {
    case v4 = "IPv4"
    case v6 = "IPv6"

    var description: String { rawValue }

    /// The nftables set of this family in the default ruleset.
    var knockSet: String { self == .v4 ? "knock_allow" : "knock_allow6" }

    var other: AddressFamily { self == .v4 ? .v6 : .v4 }
}
