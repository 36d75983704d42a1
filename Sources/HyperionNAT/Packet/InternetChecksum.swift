/// The one's complement arithmetic of RFC 1071 and the incremental update of RFC 1624.
///
/// Sums are kept in a wide accumulator and folded with end-around carry only when read, so
/// adding many words costs one add each. A folded sum of anything non-zero is never 0x0000
/// (negative zero 0xFFFF stands for it), which is the same representation the full
/// computation produces; that is why an incremental update equals a full recompute bit for
/// bit instead of differing in the 0x0000/0xFFFF case.
struct OnesComplementSum {
    private(set) var accumulator: UInt64 = 0

    init() {}

    mutating func add(_ word: UInt16) {
        accumulator &+= UInt64(word)
    }

    /// Adds the eight 16-bit words of an address; for IPv4 six of them are zero.
    mutating func add(_ address: NATAddress) {
        add(words: address.high)
        add(words: address.low)
    }

    /// Subtracting in one's complement is adding the complement.
    mutating func subtract(_ word: UInt16) {
        add(~word)
    }

    mutating func subtract(_ address: NATAddress) {
        var old = OnesComplementSum()
        old.add(address)
        subtract(old.folded)
    }

    /// Adds bytes as big-endian words, an odd last byte padded with zero (RFC 1071).
    mutating func add(bytes: UnsafeRawBufferPointer) {
        var index = 0
        let count = bytes.count
        while index + 8 <= count {
            add(words: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
            index += 8
        }
        while index + 2 <= count {
            add(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt16.self)))
            index += 2
        }
        if index < count {
            add(UInt16(bytes[index]) << 8)
        }
    }

    /// The sum reduced to 16 bits with end-around carry.
    var folded: UInt16 {
        var value = accumulator
        while value > 0xFFFF {
            value = (value & 0xFFFF) + (value >> 16)
        }
        return UInt16(value)
    }

    /// What goes into a checksum field: the complement of the folded sum.
    var checksum: UInt16 { ~folded }

    private mutating func add(words value: UInt64) {
        accumulator &+= (value >> 48) + ((value >> 32) & 0xFFFF) + ((value >> 16) & 0xFFFF) + (value & 0xFFFF)
    }
}

extension OnesComplementSum {
    /// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), where `self` holds the difference
    /// (the new words added, the old ones subtracted).
    func updating(checksum: UInt16) -> UInt16 {
        var sum = self
        sum.add(~checksum)
        return sum.checksum
    }

    /// For a field that holds a sum rather than its complement: the pseudo-header sum that a
    /// NEEDS_CSUM (CHECKSUM_PARTIAL) packet carries in its TCP checksum field.
    func updating(partialSum: UInt16) -> UInt16 {
        var sum = self
        sum.add(partialSum)
        return sum.folded
    }
}
