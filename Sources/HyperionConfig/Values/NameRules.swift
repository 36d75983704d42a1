/// The shapes of the names a config may contain. ASCII only, checked byte by byte.
public enum NameRules {
    /// A `[[server]]` name: `[A-Za-z0-9][A-Za-z0-9._-]{0,62}`. It shows up in logs,
    /// `-L` specs and file names, so it stays short and plain.
    static func isServerName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...63).contains(bytes.count), isAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// A network device name as the kernel takes it (IFNAMSIZ): 1-15 bytes, and kept to
    /// letters, digits, `.`, `_` and `-` so it is safe in a shell script.
    public static func isInterfaceName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...15).contains(bytes.count), text != ".", text != ".." else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// An nftables table or set name as Hyperion writes it: `[A-Za-z][A-Za-z0-9_]{0,31}`.
    /// Stricter than nft itself, so the name never needs quoting in a ruleset.
    static func isNftIdentifier(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...32).contains(bytes.count), isLetter(bytes[0]) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") }
    }

    /// A portable environment variable name: `[A-Za-z_][A-Za-z0-9_]*`, at most 255 bytes.
    static func isEnvironmentName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...255).contains(bytes.count), isLetter(bytes[0]) || bytes[0] == UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") }
    }

    /// A DNS host name (RFC 1123): dot-separated labels of letters, digits and hyphens,
    /// 1-63 bytes each, not starting or ending with a hyphen, at most 253 bytes in all.
    /// The last label may not be all digits, so a mistyped IPv4 address is not taken for a name.
    static func isDNSName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...253).contains(bytes.count) else { return false }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            guard (1...63).contains(label.count),
                  label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-"),
                  label.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") })
            else { return false }
        }
        return !labels.last!.allSatisfy(isDigit)
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) }
}
