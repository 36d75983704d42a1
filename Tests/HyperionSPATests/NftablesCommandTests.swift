import Testing
@testable import HyperionSPA

@Suite struct NftablesCommandTests {
    let commands = NftablesCommand(
        table: try! NftablesIdentifier("hyperion", what: "t"),
        set: try! NftablesIdentifier("knock_allow", what: "s"),
        set6: try! NftablesIdentifier("knock_allow6", what: "s6")
    )

    @Test func addsIPv4ToTheIPv4SetWithAFreshTimeout() {
        let argv = commands.addElement(IPAddress(v4: 203, 0, 113, 9), timeoutSeconds: 60)
        #expect(argv.joined(separator: " ") == "add element inet hyperion knock_allow { 203.0.113.9 timeout 60s } ; "
            + "delete element inet hyperion knock_allow { 203.0.113.9 } ; "
            + "add element inet hyperion knock_allow { 203.0.113.9 timeout 60s }")
        #expect(argv.contains("{") && argv.contains("}") && argv.contains(";"))
        #expect(argv.allSatisfy { !$0.contains(" ") })
    }

    @Test func addsIPv6ToTheIPv6Set() {
        let address = IPAddress(bytes: parseV6("2001:db8::9"))!
        let argv = commands.addElement(address, timeoutSeconds: 3)
        #expect(argv.prefix(10) == ["add", "element", "inet", "hyperion", "knock_allow6", "{", "2001:db8::9", "timeout", "3s", "}"])
        #expect(commands.setName(for: address).name == "knock_allow6")
    }

    @Test func listAndFlush() {
        #expect(commands.listTable() == ["list", "table", "inet", "hyperion"])
        #expect(commands.listSet(commands.set6) == ["list", "set", "inet", "hyperion", "knock_allow6"])
        #expect(commands.flushSet(commands.set) == ["flush", "set", "inet", "hyperion", "knock_allow"])
    }
}
