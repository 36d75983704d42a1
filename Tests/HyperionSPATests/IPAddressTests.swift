import Glibc
import Testing
@testable import HyperionSPA

@Suite struct IPAddressTests {
    func v6(_ text: String) -> IPAddress { IPAddress(bytes: parseV6(text))! }

    @Test func ipv4IsDottedDecimal() {
        #expect(IPAddress(v4: 10, 0, 0, 1).description == "10.0.0.1")
        #expect(IPAddress(v4: 255, 255, 255, 255).description == "255.255.255.255")
        #expect(IPAddress(bytes: [192, 168, 100, 254])?.description == "192.168.100.254")
        #expect(IPAddress(bytes: [1, 2, 3])?.description == nil)
        #expect(IPAddress(bytes: [UInt8](repeating: 0, count: 17)) == nil)
    }

    @Test(arguments: [
        ("2001:db8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"),  // first of two equal runs
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),  // a single zero group stays
        ("2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::"),  // the longer run wins
        ("0:0:0:0:0:0:0:0", "::"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("fe80:0:0:0:0:0:0:0", "fe80::"),
        ("ABCD:EF01:2345:6789:ABCD:EF01:2345:6789", "abcd:ef01:2345:6789:abcd:ef01:2345:6789"),
        ("0:0:0:0:0:ffff:c000:0201", "::ffff:192.0.2.1"),  // RFC 5952 §5
    ])
    func ipv6FollowsRFC5952(full: String, canonical: String) {
        #expect(v6(full).description == canonical)
    }

    /// Random addresses against glibc's inet_ntop, which implements the same rules except
    /// that it also prints the deprecated IPv4-compatible range `::a.b.c.d` in mixed form.
    @Test func ipv6AgreesWithInetNtop() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<5000 {
            var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Zero out random groups so that runs of zeros are common.
            for group in 0..<8 where round % 2 == 0 && Bool.random(using: &generator) {
                bytes[2 * group] = 0
                bytes[2 * group + 1] = 0
            }
            if bytes[0..<12].allSatisfy({ $0 == 0 }) { continue }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            inet_ntop(AF_INET6, bytes, &text, socklen_t(text.count))
            let expected = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            #expect(IPAddress(bytes: bytes)!.description == expected, "bytes \(bytes)")
        }
    }

    @Test func bytesRoundTrip() {
        let bytes = parseV6("2001:db8:1:2:3:4:5:6")
        #expect(IPAddress(bytes: bytes)?.bytes == bytes)
        #expect(IPAddress(v4: 1, 2, 3, 4).bytes == [1, 2, 3, 4])
        #expect(IPAddress(v4: 1, 2, 3, 4) != IPAddress(bytes: parseV6("::102:304")))
    }

    @Test func canonicalTextHoldsOnlyAddressCharacters() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let count = Bool.random(using: &generator) ? 4 : 16
            let address = IPAddress(bytes: (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })!
            #expect(address.description.allSatisfy { "0123456789abcdef.:".contains($0) })
        }
    }

    @Test func unusableSources() {
        #expect(!IPAddress(v4: 0, 0, 0, 0).isUsableSource)
        #expect(!IPAddress(v4: 224, 0, 0, 1).isUsableSource)
        #expect(!IPAddress(v4: 239, 255, 255, 250).isUsableSource)
        #expect(!IPAddress(v4: 255, 255, 255, 255).isUsableSource)
        #expect(IPAddress(v4: 10, 1, 2, 3).isUsableSource)
        #expect(IPAddress(v4: 127, 0, 0, 1).isUsableSource)
        #expect(!v6("::").isUsableSource)
        #expect(!v6("ff02::1").isUsableSource)
        #expect(v6("fe80::1").isUsableSource)
        #expect(v6("2001:db8::1").isUsableSource)
    }
}
