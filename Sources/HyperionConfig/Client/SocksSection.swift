/// `[socks]` of `client.toml` and `run -D`: where the SOCKS5 listener listens.
enum SocksParser {
    static func parse(_ table: TableReader?) throws -> SocketAddress? {
        guard let table else { return nil }
        try table.rejectUnknownKeys(known: ["listen"])
        let text = try table.required("listen", table.string("listen"), hint: "add listen = \"127.0.0.1:1080\"")
        return try table.parsed("listen", text, hint: LocalAddress.hint.replacing("2201", with: "1080"), LocalAddress.parse)
    }
}

extension ClientConfig {
    /// The config with the SOCKS5 listener of `run -D SPEC` (`[addr:]port`, 127.0.0.1 when
    /// no address is given) in place of `[socks] listen`; it may not share a forward's port.
    public func settingSocks(_ spec: String) throws -> ClientConfig {
        let address: SocketAddress
        do {
            address = try LocalAddress.parse(spec)
        } catch {
            throw ConfigError(.invalidValue, "-D \(Quoted(spec)) \(error.reason); \(LocalAddress.hint.replacing("2201", with: "1080"))")
        }
        var result = self
        result.socksListen = address
        try result.checkSocksAgainstForwards(label: "-D \(Quoted(spec))")
        return result
    }

    func checkSocksAgainstForwards(label: String) throws {
        guard let socks = socksListen, let clash = forwards.first(where: { $0.local.overlaps(socks) }) else { return }
        throw ConfigError(
            .duplicate, file: path,
            "\(label) (\(socks)) and the forward \(clash) both listen on port \(socks.port); give the SOCKS5 listener another port"
        )
    }
}
