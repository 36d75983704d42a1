import NIOCore
import Testing
@testable import HyperionTunnel

@Suite struct ReplayCacheTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    func key(_ byte: UInt8) -> [UInt8] { [UInt8](repeating: byte, count: 32) }

    @Test func remembersAKeyUntilItIsTooOld() {
        var cache = ReplayCache(capacity: 8, maximumAge: .seconds(60))
        #expect(!cache.contains(key(1), now: start))
        let inserted = cache.insert(key(1), now: start)
        #expect(inserted)
        #expect(cache.contains(key(1), now: start + .seconds(59)))
        let again = cache.insert(key(1), now: start + .seconds(59))
        #expect(!again, "a second insert is the replay that raced its original")
        #expect(!cache.contains(key(2), now: start + .seconds(59)))
        #expect(!cache.contains(key(1), now: start + .seconds(60)))
        _ = cache.insert(key(9), now: start + .seconds(60))
        #expect(cache.count == 1, "the expired key was forgotten")
    }

    @Test func theOldestGoesFirstWhenFull() {
        var cache = ReplayCache(capacity: 3, maximumAge: .seconds(60))
        for byte in UInt8(1)...4 {
            let inserted = cache.insert(key(byte), now: start + .milliseconds(Int64(byte)))
            #expect(inserted)
        }
        #expect(cache.count == 3)
        #expect(!cache.contains(key(1), now: start + .seconds(1)))
        #expect([2, 3, 4].allSatisfy { cache.contains(key($0), now: start + .seconds(1)) })
    }

    @Test func staysBoundedOverManyInsertsAndAges() {
        var cache = ReplayCache(capacity: 16, maximumAge: .milliseconds(100))
        for index in 0..<10_000 {
            let bytes = withUnsafeBytes(of: UInt64(index)) { Array($0) } + [UInt8](repeating: 0, count: 24)
            let inserted = cache.insert(bytes, now: start + .milliseconds(Int64(index)))
            #expect(inserted)
        }
        #expect(cache.count <= 16)
        let last = withUnsafeBytes(of: UInt64(9_999)) { Array($0) } + [UInt8](repeating: 0, count: 24)
        #expect(cache.contains(last, now: start + .milliseconds(10_000)))
        #expect(cache.count > 0)
    }

    @Test func keyIsTheFirst32BytesOfMessage1() {
        let message = [UInt8](0..<96)
        #expect(ReplayCache.key(ofMessage1: message) == Array(0..<32))
        #expect(ReplayCache.key(ofMessage1: [1, 2, 3]) == nil)
    }
}
