#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The text form of every 32-byte key in Hyperion (PROTOCOL.md §1): standard base64 with
/// padding, 44 characters.
enum KeyText {
    static let rawLength = 32
    static let textLength = 44

    /// Decodes `text` (surrounding whitespace ignored). `what` names the key in the error.
    static func decode(_ text: String, what: String) throws -> [UInt8] {
        let trimmed = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        guard trimmed.utf8.count == textLength,
              let data = Data(base64Encoded: trimmed),
              data.count == rawLength
        else {
            let problem = trimmed.utf8.count == textLength
                ? "its 44 characters are not standard base64 of 32 bytes (A-Z a-z 0-9 + /, ending in one =)"
                : "it has \(trimmed.utf8.count) characters; a key is 44 characters of standard base64 ending in one ="
            throw HyperionCryptoError(.invalidKeyText, "\(what) is not a valid key: \(problem)")
        }
        return Array(data)
    }

    static func encode(_ bytes: some Collection<UInt8>) -> String {
        Data(bytes).base64EncodedString()
    }
}
