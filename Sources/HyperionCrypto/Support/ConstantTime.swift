/// Comparisons whose running time does not depend on where two secrets differ.
public enum ConstantTime {
    /// True when both sequences have the same length and the same bytes. The time taken
    /// depends on the length only, never on the contents.
    @inlinable
    public static func equals<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    /// True when `candidate` equals any element of `list`. Every element is compared in
    /// full, so the time reveals neither which element matched nor whether one did.
    @inlinable
    public static func contains<C: Collection>(_ list: [C], _ candidate: C) -> Bool where C.Element == UInt8 {
        var found = false
        for item in list { found = equals(item, candidate) || found }
        return found
    }
}
