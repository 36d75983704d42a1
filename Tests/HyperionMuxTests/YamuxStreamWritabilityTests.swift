import NIOCore
import Testing

@testable import HyperionMux

@Suite struct YamuxStreamWritabilityTests {
    let waterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 10, high: 20)

    @Test func followsTheWaterMarksWithHysteresis() {
        var writability = YamuxStreamWritability(waterMark: self.waterMark, parentIsWritable: true)
        #expect(writability.buffered(20) == nil)
        #expect(writability.buffered(1) == false)
        #expect(writability.wrote(5) == nil, "between the marks it stays unwritable")
        #expect(writability.wrote(7) == true)
        #expect(writability.isWritable)
    }

    @Test func isUnwritableWhileTheParentIs() {
        var writability = YamuxStreamWritability(waterMark: self.waterMark, parentIsWritable: true)
        #expect(writability.parentWritabilityChanged(false) == false)
        #expect(writability.buffered(30) == nil, "already unwritable: no second event")
        #expect(writability.parentWritabilityChanged(true) == nil, "still above the high mark")
        #expect(writability.wrote(30) == true)
    }

    @Test func aNewWaterMarkAppliesAtOnce() {
        var writability = YamuxStreamWritability(waterMark: self.waterMark, parentIsWritable: true)
        #expect(writability.buffered(15) == nil)
        #expect(writability.setWaterMark(.init(low: 2, high: 4)) == false)
    }
}
