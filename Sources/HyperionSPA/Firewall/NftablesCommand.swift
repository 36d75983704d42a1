/// The `nft` argument vectors the gate runs, built from validated names and an address's
/// canonical text, one argv item per token. nft joins its arguments with spaces and parses
/// the result, so the braces and `;` are their own items; nothing here ever passes through
/// a shell, and an `IPAddress` can only render as digits, hex, dots and colons, so nft
/// never mistakes it for a hostname to resolve.
public struct NftablesCommand: Sendable {
    public let table: NftablesIdentifier
    public let set: NftablesIdentifier
    public let set6: NftablesIdentifier

    public init(table: NftablesIdentifier, set: NftablesIdentifier, set6: NftablesIdentifier) {
        self.table = table
        self.set = set
        self.set6 = set6
    }

    /// The set an address belongs in: `set` for IPv4, `set6` for IPv6.
    public func setName(for address: IPAddress) -> NftablesIdentifier {
        address.family == .v4 ? set : set6
    }

    /// Adds `address` with a fresh timeout, in one atomic nft transaction:
    /// `add element …; delete element …; add element …`.
    ///
    /// A plain `add element` leaves an existing element's timer alone, so an admin who
    /// knocks again after the cooldown would still lose access when the first timeout ran
    /// out. The first `add` makes sure the `delete` has something to delete; the second
    /// starts the timer over. The transaction commits as a whole, so the address is never
    /// absent in between.
    public func addElement(_ address: IPAddress, timeoutSeconds: UInt64) -> [String] {
        let element = ["{", address.description, "timeout", "\(timeoutSeconds)s", "}"]
        let target = ["element", "inet", table.name, setName(for: address).name]
        let bare = ["{", address.description, "}"]
        return ["add"] + target + element + [";", "delete"] + target + bare + [";", "add"] + target + element
    }

    public func listTable() -> [String] { ["list", "table", "inet", table.name] }

    public func listSet(_ name: NftablesIdentifier) -> [String] { ["list", "set", "inet", table.name, name.name] }

    public func flushSet(_ name: NftablesIdentifier) -> [String] { ["flush", "set", "inet", table.name, name.name] }
}
