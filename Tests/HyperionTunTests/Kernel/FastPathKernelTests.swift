#if os(Linux)
import CHyperionLinux
import Foundation
import HyperionNAT
import Testing
@testable import HyperionTun

/// The fast path's program and map on a live kernel, without TUN mode around them: the
/// program loads and attaches (the verifier accepts the generated instructions), the map
/// takes a flow's two directions and no more than its size, a flow goes in all or not at
/// all, and each comes out once. The traffic itself is TunFastPathTests'.
@Suite struct FastPathKernelTests {
    static func translations(natPort: UInt16, family: IPFamily = .v4) -> [FlowTranslation] {
        let v4 = family == .v4
        func endpoint(_ last: UInt8, _ port: UInt16) -> NATEndpoint {
            NATEndpoint(address: NATAddress(bytes: v4 ? [10, 99, 0, last] : [0xFD] + Array(repeating: 0, count: 14) + [last])!, port: port)
        }
        let app = NATFourTuple(source: endpoint(1, 40000 + natPort), destination: endpoint(77, 22))
        let listener = NATFourTuple(source: endpoint(2, natPort), destination: endpoint(1, 7000))
        return [
            FlowTranslation(family: family, original: app, rewritten: listener),
            FlowTranslation(family: family, original: NATFourTuple(source: listener.destination, destination: listener.source),
                            rewritten: NATFourTuple(source: app.destination, destination: app.source)),
        ]
    }

    @Test func aFullMapRefusesAFlowWholeAndTakesItOnceThereIsRoom() throws {
        guard KernelTestRequirement.met("fast path map") else { return }
        let network = TestNetwork()
        let device = try TunDevice.open(network.configuration(offload: true))
        defer { device.close() }
        let link = try FastPathLink.attach(to: device, maximumFlows: 1).get()
        defer { link.close() }
        let flows = FastPathFlows(link: link)
        let first = FlowHandle(family: .v4, natPort: 1), second = FlowHandle(family: .v6, natPort: 2)

        flows.install(first, Self.translations(natPort: 1))
        #expect(flows.statistics == FastPathStatistics(liveFlows: 1, installed: 1, refused: 0))
        // Room for one flow (two entries): the second is refused, and none of it stays.
        flows.install(second, Self.translations(natPort: 2, family: .v6))
        #expect(flows.statistics == FastPathStatistics(liveFlows: 1, installed: 1, refused: 1))
        #expect(Self.translations(natPort: 2, family: .v6).allSatisfy { link.remove($0) == -ENOENT }, "a refused flow left an entry")

        flows.remove(first)
        #expect(Self.translations(natPort: 1).allSatisfy { link.remove($0) == -ENOENT }, "a removed flow left an entry")
        flows.remove(first)
        #expect(flows.statistics.liveFlows == 0)
        flows.install(second, Self.translations(natPort: 2, family: .v6))
        #expect(flows.statistics == FastPathStatistics(liveFlows: 1, installed: 2, refused: 1))
    }

    @Test func theMapsKeyIsTheProgramsLayout() {
        #expect(MemoryLayout<chyperion_fast_path_tuple>.size == 40)
        var tuple = FastPathLink.tuple(.v4, Self.translations(natPort: 0x1234)[1].original)
        let bytes = withUnsafeBytes(of: &tuple) { Array($0) }
        #expect(Array(bytes[0..<16]) == [10, 99, 0, 1] + Array(repeating: 0, count: 12))
        #expect(Array(bytes[16..<32]) == [10, 99, 0, 2] + Array(repeating: 0, count: 12))
        #expect(Array(bytes[32..<36]) == [0x1B, 0x58, 0x12, 0x34], "ports in network order: 7000, then 0x1234")
        #expect(Array(bytes[36..<40]) == [4, 0, 0, 0])
    }
}
#endif
