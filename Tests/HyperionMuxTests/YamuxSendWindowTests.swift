import Testing

@testable import HyperionMux

@Suite struct YamuxSendWindowTests {
    @Test func consumesAndGrows() {
        var window = YamuxSendWindow(initial: 256 * 1024)
        #expect(window.sendableBytes(maximumFrameLength: 64 * 1024) == 64 * 1024)
        window.consume(256 * 1024 - 10)
        #expect(window.sendableBytes(maximumFrameLength: 64 * 1024) == 10)
        window.consume(10)
        #expect(window.sendableBytes(maximumFrameLength: 64 * 1024) == 0)
        window.grow(by: 5)
        #expect(window.available == 5)
    }

    @Test func growsBeyondTheInitialWindow() {
        var window = YamuxSendWindow(initial: 256 * 1024)
        window.grow(by: 16 * 1024 * 1024)
        #expect(window.available == 256 * 1024 + 16 * 1024 * 1024)
    }

    @Test func clampsInsteadOfOverflowing() {
        var window = YamuxSendWindow(initial: 256 * 1024)
        window.grow(by: .max)
        #expect(window.available == .max)
        window.grow(by: 1)
        #expect(window.available == .max)
    }
}
