/// A value from the config, quoted for a message: escaped like a Swift string literal so
/// control characters cannot garble a terminal, and cut at 80 characters so a pasted
/// blob cannot flood one. Never used for secrets.
struct Quoted: CustomStringConvertible {
    static let limit = 80
    let text: String

    init(_ text: String) { self.text = text }

    var description: String {
        guard text.count > Self.limit else { return text.debugDescription }
        return String(text.prefix(Self.limit)).debugDescription + "…"
    }
}
