import HyperionCrypto

/// What is wrong with the text of a key (PROTOCOL.md §1: standard base64 with padding of
/// 32 bytes, 44 characters ending in one `=`), in words a person can act on.
///
/// HyperionCrypto only says that text is not a key; this says why: the length, a
/// character outside standard base64 (by kind, never the character itself: the text may be
/// a secret), URL-safe base64, whitespace inside, or 44 characters that decode to the wrong
/// number of bytes.
enum KeyTextProblem {
    static let textLength = 44

    /// What is wrong with `text` (surrounding whitespace ignored), as a clause that follows
    /// "is not a key: ", or nil when it is a valid key's text.
    static func describe(_ text: String) -> String? {
        let trimmed = Array(text.utf8.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
        if trimmed.isEmpty { return "it is empty" }
        if trimmed.contains(where: isSpace) {
            return "it has spaces or line breaks inside; a key is one unbroken line of 44 characters"
        }
        let outside = String(decoding: trimmed, as: UTF8.self).unicodeScalars.filter {
            !$0.isASCII || (!isStandardBase64(UInt8($0.value)) && $0 != "=")
        }
        if !outside.isEmpty {
            if outside.allSatisfy({ $0 == "-" || $0 == "_" }) {
                return "it is URL-safe base64 (with - or _); a key is standard base64, with + and / instead"
            }
            let count = outside.count == 1 ? "a character" : "\(outside.count) characters"
            return "it has \(count) that base64 does not use (only A-Z, a-z, 0-9, + and /, then one =)"
        }
        guard trimmed.count == textLength else {
            let missingPadding = trimmed.count == textLength - 1 && trimmed.last != UInt8(ascii: "=")
            return "it is \(trimmed.count) characters long; a key is \(textLength) (32 bytes in standard base64)"
                + (missingPadding ? ", so the final = is probably missing" : "")
        }
        let padding = trimmed.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        if padding != 1 || trimmed.dropLast(padding).contains(UInt8(ascii: "=")) {
            let bytes = (textLength - padding) * 3 / 4
            return "it has the right length but is not 32 bytes of base64 (it would be \(bytes) bytes: "
                + "a key's text ends in exactly one = and has no other)"
        }
        // 43 base64 digits and one "=": 258 bits, of which the last 2 must be zero.
        guard let last = base64Value(trimmed[textLength - 2]), last & 0b11 == 0 else {
            return "its last character before the = is not one a 32-byte key can end in (a character was changed or lost)"
        }
        return nil
    }

    /// The message for a key whose text failed to decode: `what` names the key; `todo` says
    /// where a good one comes from. Other crypto errors keep their own message.
    static func message(for error: HyperionCryptoError, text: String, what: String, todo: String) -> String {
        guard error.kind == .invalidKeyText else { return error.message }
        let problem = describe(text) ?? "it is not the standard base64 text of 32 bytes"
        return "\(what) is not a valid key: \(problem); \(todo)"
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    private static func isStandardBase64(_ byte: UInt8) -> Bool { base64Value(byte) != nil }

    private static func base64Value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
