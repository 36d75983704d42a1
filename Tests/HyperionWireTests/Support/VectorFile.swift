import Foundation

/// `key=value` lines from a vector file in the test bundle; `#` starts a comment.
struct VectorFile {
    let values: [String: String]

    init(named name: String) throws {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "txt", subdirectory: "Vectors"))
        var values: [String: String] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        self.values = values
    }

    subscript(_ key: String) -> String {
        get throws { try #require(values[key], "vector file lacks \(key)") }
    }

    func hex(_ key: String) throws -> [UInt8] { try [UInt8](hex: self[key]) }
}

import Testing

extension [UInt8] {
    init(hex: String) throws {
        var bytes: [UInt8] = []
        var iterator = hex.makeIterator()
        while let high = iterator.next() {
            let next = iterator.next()
            let low = try #require(next, "odd-length hex")
            let byte = UInt8(String([high, low]), radix: 16)
            bytes.append(try #require(byte, "bad hex digit"))
        }
        self = bytes
    }

    var hex: String { map { String(format: "%02x", $0) }.joined() }
}

/// A small deterministic generator (SplitMix64), so property tests replay exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }
}
