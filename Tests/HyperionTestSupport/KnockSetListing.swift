/// The addresses in one of the server's nftables knock sets, read with `nft list set`
/// inside the server's namespace: the ground truth of who may open a new connection.
enum KnockSetListing {
    static func addresses(in family: AddressFamily, on server: NetworkHost) async throws -> [String] {
        let listing = try await server.check(["nft", "list", "set", "inet", "hyperion", family.knockSet])
        return parse(listing)
    }

    /// The raw listing, for messages and the element's timeout.
    static func listing(of family: AddressFamily, on server: NetworkHost) async throws -> String {
        try await server.check(["nft", "list", "set", "inet", "hyperion", family.knockSet])
    }

    /// `elements = { 10.0.0.2 timeout 4s expires 3s120ms, … }` → the addresses. nft may
    /// wrap a long element list over several lines.
    static func parse(_ listing: String) -> [String] {
        guard let start = listing.range(of: "elements = {") else { return [] }
        let body = listing[start.upperBound...].prefix { $0 != "}" }
        return body.split(separator: ",").compactMap { element in
            element.split(whereSeparator: \.isWhitespace).first.map(String.init)
        }
    }
}
