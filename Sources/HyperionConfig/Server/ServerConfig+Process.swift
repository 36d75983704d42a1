/// `[server]` of `server.toml`: how the process runs. An addition of Hyperion's: a v1
/// config has no such table, and without it nothing changes.
enum ServerProcessParser {
    static let keys = ["user"]

    static func parse(_ table: TableReader?) throws -> ServerConfig.Server {
        guard let table else { return .init(user: nil) }
        try table.rejectUnknownKeys(known: keys)
        guard let user = try table.string("user") else { return .init(user: nil) }
        guard isUserName(user) else {
            throw table.invalid(
                "user", "is \(Quoted(user)), which is not a user name; give the name of an existing account, such as \"hyperion\" (up to 32 letters, digits, _, - or .)"
            )
        }
        return .init(user: user)
    }

    /// The portable user names of POSIX (letters, digits, `.`, `_`, `-`, not starting
    /// with `-`), at most 32 bytes like Linux's `useradd`; all digits is refused, as a uid
    /// would be mistaken for a name.
    static func isUserName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...32).contains(bytes.count), bytes.first != UInt8(ascii: "-") else { return false }
        let allowed = bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || [UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: ".")].contains(byte)
        }
        return allowed && !bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
