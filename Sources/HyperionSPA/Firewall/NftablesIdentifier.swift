/// A table or set name that is safe to put into a ruleset and into an `nft` argument.
///
/// nft itself accepts more (dots, slashes, quoted strings), but these names end up in text
/// the admin pipes into `nft -f` as root, so we accept only `[A-Za-z][A-Za-z0-9_]{0,31}`:
/// no quoting, no keywords-with-spaces, nothing a reader could misread.
public struct NftablesIdentifier: Hashable, Sendable, CustomStringConvertible {
    public static let maximumLength = 32

    public let name: String

    /// `what` names the setting in the error, for example `"--table"` or `"firewall.set"`.
    public init(_ name: String, what: String) throws(SPAError) {
        let bytes = Array(name.utf8)
        let isLetter = { (byte: UInt8) in (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
        let isTail = { (byte: UInt8) in isLetter(byte) || (0x30...0x39).contains(byte) || byte == 0x5F }
        guard let first = bytes.first, isLetter(first), bytes.count <= Self.maximumLength,
              bytes.dropFirst().allSatisfy(isTail)
        else {
            throw SPAError(
                .invalidIdentifier,
                "\(what) \(name.debugDescription) is not a valid nftables name: use a letter followed by up to 31 letters, digits or underscores"
            )
        }
        self.name = name
    }

    public var description: String { name }
}
