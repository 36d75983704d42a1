#if os(Linux)
import Foundation
import HyperionTun
import Testing

@Suite struct TunDeviceKernelTests {
    @Test(arguments: [true, false])
    func opensAndConfiguresTheInterfaceAndRemovesItOnClose(offload: Bool) throws {
        guard KernelTestRequirement.met("TUN open and configure") else { return }
        let network = TestNetwork()
        let device = try TunDevice.open(network.configuration(offload: offload, mtu: 1400, txQueueLength: 1234))
        defer { device.close() }
        #expect(device.name == network.name)
        #expect(device.index > 0)
        #expect(device.offloadEnabled == offload, "offload requested: \(offload)")
        #expect(device.headerSize == (offload ? 10 : 0))

        let interface = try IPCommand.interface(network.name)
        #expect(interface["ifindex"] as? Int == Int(device.index))
        #expect(interface["mtu"] as? Int == 1400)
        #expect(interface["txqlen"] as? Int == 1234)
        let flags = interface["flags"] as? [String] ?? []
        #expect(flags.contains("UP"), "flags: \(flags)")
        let addresses = (interface["addr_info"] as? [[String: Any]] ?? []).map {
            "\($0["local"] as? String ?? "?")/\($0["prefixlen"] as? Int ?? -1)"
        }
        #expect(addresses.contains("10.201.\(network.subnet).1/24"), "addresses: \(addresses)")
        #expect(addresses.contains("fd00:201:\(String(network.subnet, radix: 16))::1/64"), "addresses: \(addresses)")
        // No DAD: the IPv6 address is usable at once, not "tentative".
        let v6 = (interface["addr_info"] as? [[String: Any]] ?? []).first { ($0["local"] as? String)?.hasPrefix("fd00:201") == true }
        #expect(v6?["tentative"] == nil, "the IPv6 address is tentative: \(String(describing: v6))")

        // Routed as local when open() returns: the IPv6 local route comes from a work queue.
        for local in ["10.201.\(network.subnet).1", "fd00:201:\(String(network.subnet, radix: 16))::1"] {
            let route = try IPCommand.run(["-j", "route", "get", local]).output
            #expect(route.contains("\"type\":\"local\""), "ip route get \(local): \(route)")
        }

        device.close()
        #expect(!IPCommand.linkExists(network.name), "the interface outlived its descriptor")
        device.close()
    }

    @Test func aDuplicateAddressIsNotAnError() throws {
        guard KernelTestRequirement.met("TUN duplicate address") else { return }
        let network = TestNetwork()
        var configuration = network.configuration(offload: false)
        configuration.addresses += configuration.addresses
        let device = try TunDevice.open(configuration)
        defer { device.close() }
        let info = try IPCommand.interface(network.name)["addr_info"] as? [[String: Any]] ?? []
        #expect(info.filter { ($0["local"] as? String)?.hasPrefix("10.201.") == true }.count == 1)
    }

    @Test func aNameInUseFailsAndLeavesTheFirstDeviceAlone() throws {
        guard KernelTestRequirement.met("TUN name in use") else { return }
        let network = TestNetwork()
        let first = try TunDevice.open(network.configuration(offload: true))
        defer { first.close() }
        let error = #expect(throws: TunError.self) { try TunDevice.open(network.configuration(offload: false)) }
        #expect(error?.kind == .systemCallFailed)
        #expect(error?.code == EBUSY, "error: \(String(describing: error))")
        #expect(error?.message.contains("pick another name") == true)
        #expect(IPCommand.linkExists(network.name))
    }

    @Test func aKernelNumberedNameIsReported() throws {
        guard KernelTestRequirement.met("TUN numbered name") else { return }
        let device = try TunDevice.open(TunConfiguration(name: "hypt\(Int.random(in: 1000...9999))n%d", offload: false))
        defer { device.close() }
        #expect(!device.name.contains("%"), "name: \(device.name)")
        #expect(IPCommand.linkExists(device.name))
    }

    @Test func invalidSettingsAreRefusedBeforeTheKernelIsAsked() {
        let tooLong = #expect(throws: TunError.self) { try TunDevice.open(TunConfiguration(name: "a-name-of-16-byt")) }
        #expect(tooLong?.kind == .invalidConfiguration)
        let mtu = #expect(throws: TunError.self) { try TunDevice.open(TunConfiguration(name: "hypbad0", mtu: 40)) }
        #expect(mtu?.kind == .invalidConfiguration)
    }
}
#endif
