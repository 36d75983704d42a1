import Foundation
import Testing
@testable import HyperionCrypto

/// One handshake of a flynn/noise `vectors.txt`-style file: `key=hex` lines, a block per
/// `handshake=` line, `#` comments.
struct NoiseVector: Sendable, CustomTestStringConvertible {
    struct Message: Sendable {
        var payload: [UInt8]
        var ciphertext: [UInt8]
    }

    var protocolName: String
    var initiatorStatic: X25519SecretKey
    var responderStatic: X25519SecretKey
    var initiatorEphemeral: X25519SecretKey
    var responderEphemeral: X25519SecretKey
    var prologue: [UInt8]
    var presharedKey: PresharedKey
    /// msg_0, msg_1, …: the two handshake messages, then transport messages alternating
    /// initiator, responder.
    var messages: [Message]

    var testDescription: String {
        "\(protocolName), prologue \(prologue.count) bytes, payloads \(messages.prefix(2).map(\.payload.count))"
    }

    /// All vectors in the bundled file `Vectors/<name>.txt`.
    static func load(_ name: String) throws -> [NoiseVector] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "txt", subdirectory: "Vectors") else {
            throw VectorFileError("vector file \(name).txt is not in the test bundle")
        }
        return try parse(String(contentsOf: url, encoding: .utf8))
    }

    static func parse(_ text: String) throws -> [NoiseVector] {
        var blocks: [[String: String]] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else { throw VectorFileError("line without '=': \(line)") }
            let key = String(line[..<equals])
            let value = String(line[line.index(after: equals)...])
            if key == "handshake" { blocks.append([:]) }
            guard !blocks.isEmpty else { throw VectorFileError("\(key) before the first handshake=") }
            guard blocks[blocks.count - 1].updateValue(value, forKey: key) == nil else {
                throw VectorFileError("\(key) twice in one handshake")
            }
        }
        return try blocks.map(NoiseVector.init(fields:))
    }

    private init(fields: [String: String]) throws {
        func field(_ key: String) throws -> String {
            guard let value = fields[key] else { throw VectorFileError("vector without \(key)") }
            return value
        }
        protocolName = try field("handshake")
        initiatorStatic = try X25519SecretKey(rawBytes: TestBytes.hex(field("init_static")))
        responderStatic = try X25519SecretKey(rawBytes: TestBytes.hex(field("resp_static")))
        initiatorEphemeral = try X25519SecretKey(rawBytes: TestBytes.hex(field("gen_init_ephemeral")))
        responderEphemeral = try X25519SecretKey(rawBytes: TestBytes.hex(field("gen_resp_ephemeral")))
        prologue = TestBytes.hex(fields["prologue"] ?? "")
        presharedKey = try PresharedKey(rawBytes: TestBytes.hex(field("preshared_key")))
        messages = []
        while let payload = fields["msg_\(messages.count)_payload"] {
            let ciphertext = try field("msg_\(messages.count)_ciphertext")
            messages.append(Message(payload: TestBytes.hex(payload), ciphertext: TestBytes.hex(ciphertext)))
        }
        let known = Set(["handshake", "init_static", "resp_static", "gen_init_ephemeral", "gen_resp_ephemeral", "prologue", "preshared_key"])
        let used = known.union((0..<messages.count).flatMap { ["msg_\($0)_payload", "msg_\($0)_ciphertext"] })
        if let unknown = fields.keys.first(where: { !used.contains($0) }) {
            throw VectorFileError("unexpected field \(unknown) (this reader handles IKpsk2 vectors only)")
        }
    }
}

struct VectorFileError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
