@testable import HyperionNAT
import Testing

@Suite struct PortAllocatorTests {
    @Test func handsOutInOrderAndQueuesReleasedPortsLast() {
        var ports = PortAllocator(100...103)
        #expect([ports.take(), ports.take(), ports.take()] == [100, 101, 102])
        ports.release(101)
        ports.release(100)
        #expect([ports.take(), ports.take(), ports.take(), ports.take()] == [103, 101, 100, nil])
        #expect(ports.freeCount == 0)
    }

    @Test func aSinglePortRange() {
        var ports = PortAllocator(65535...65535)
        #expect(ports.take() == 65535)
        #expect(ports.take() == nil)
        ports.release(65535)
        #expect(ports.take() == 65535)
    }
}
