import Testing
@testable import HyperionCrypto

@Suite struct SecretWipingTests {
    @Test func wipingZeroesTheBytesAndLeavesCopiesAlone() {
        var secret: [UInt8] = Array(1...32)
        let copy = secret   // shares storage until one side writes
        wipeSecret(&secret)
        #expect(secret == [UInt8](repeating: 0, count: 32))
        #expect(copy == Array(1...32))
        var empty: [UInt8] = []
        wipeSecret(&empty)
        #expect(empty.isEmpty)
    }
}
