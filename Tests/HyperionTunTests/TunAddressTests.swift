#if os(Linux)
import HyperionTun
import Testing

@Suite struct TunAddressTests {
    @Test func parsesBothFamilies() throws {
        let v4 = try #require(TunAddress("10.99.0.1", prefixLength: 24))
        #expect(v4.bytes == [10, 99, 0, 1] && !v4.isIPv6)
        #expect(v4.description == "10.99.0.1/24")
        let v6 = try #require(TunAddress("fd00:99::1", prefixLength: 64))
        #expect(v6.bytes == [0xfd, 0, 0, 0x99] + [UInt8](repeating: 0, count: 11) + [1] && v6.isIPv6)
        #expect(v6.description == "fd00:99::1/64")
    }

    @Test func refusesWhatIsNoAddressOrPrefix() {
        #expect(TunAddress("10.99.0.256", prefixLength: 24) == nil)
        #expect(TunAddress("10.99.0.1", prefixLength: 33) == nil)
        #expect(TunAddress("fd00::1", prefixLength: 129) == nil)
        #expect(TunAddress(bytes: [1, 2, 3], prefixLength: 8) == nil)
    }
}
#endif
