// swift-tools-version:6.1
import PackageDescription

// Layers, bottom up:
//   HyperionCrypto  BLAKE2s/HMAC/HKDF, Argon2id, Noise IKpsk2, key types and key files. No I/O.
//   HyperionWire    every v1 byte format as a bounded codec, knock seal/open/verify. No I/O.
//   HyperionMux     the yamux session: pure state machines plus a NIO multiplexer whose
//                   streams are child channels.
//   HyperionConfig  server and client TOML, key sources, the passphrase prompt.
//   HyperionTunnel  the NIO runtime: Noise handlers, relay, server, client pools, local
//                   listeners, doctor. Takes the config's value types (a forward, an address).
//   HyperionSPA     the server's knock gate: pure packet parser, cooldown, tally, nft ruleset;
//                   on Linux the AF_PACKET sniffer and the nft runner (C shims in CHyperionLinux).
//   HyperionNAT     the L3 TUN mode's TCP address rewriter: packets in, packets and flow
//                   decisions out. Pure, no dependencies, no I/O.
//   HyperionDNS     the client daemon's DNS responder for `<name>.hyperion`: query bytes in,
//                   answer bytes out. Pure, no dependencies, no I/O (its UDP server is in
//                   HyperionTunnel).
//   HyperionTun     L3 TUN mode (Linux): the TUN device, its one-thread packet loop, and the
//                   mode itself (flows, listeners, pools on demand). Optional: the TUN trait.
//   HyperionCommandLine  what both executables share: keygen, init, exit codes, messages.
//   hyperion-server / hyperion-client   thin executables: parse arguments, call the libraries.
let package = Package(
    name: "Hyperion",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hyperion-server", targets: ["hyperion-server"]),
        .executable(name: "hyperion-client", targets: ["hyperion-client"]),
        // For the microbenchmarks in Benchmarks/ and the fuzz targets in Fuzz/ (packages of
        // their own); no other use.
        .library(name: "HyperionCrypto", targets: ["HyperionCrypto"]),
        .library(name: "HyperionWire", targets: ["HyperionWire"]),
        // For the fuzz targets in Fuzz/ only.
        .library(name: "HyperionMux", targets: ["HyperionMux"]),
        .library(name: "HyperionSPA", targets: ["HyperionSPA"]),
        .library(name: "HyperionNAT", targets: ["HyperionNAT"]),
        .library(name: "HyperionDNS", targets: ["HyperionDNS"]),
        .library(name: "HyperionConfig", targets: ["HyperionConfig"]),
        .library(name: "HyperionTunnel", targets: ["HyperionTunnel"]),
    ],
    // TUN mode is in the client unless it is built without it, for a lean client:
    // swift build -c release --disable-default-traits
    traits: [
        .trait(name: "TUN", description: "L3 TUN mode in hyperion-client (Linux): hyperion-client tun."),
        .default(enabledTraits: ["TUN"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
    ],
    targets: [
        // In-place ChaCha20-Poly1305: the system's OpenSSL libcrypto on Linux (libssl-dev;
        // its AVX-512 code is faster), elsewhere the BoringSSL that swift-crypto links in.
        .target(
            name: "CHyperionAEAD",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            linkerSettings: [.linkedLibrary("crypto", .when(platforms: [.linux]))]
        ),
        .target(
            name: "HyperionCrypto",
            dependencies: ["CHyperionAEAD", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "HyperionWire",
            dependencies: [
                "HyperionCrypto",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "HyperionMux",
            dependencies: [
                "HyperionWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "CHyperionLinux"),
        // Running a system tool (nft, iptables-save, resolvectl) with an argv, a fixed
        // environment and a deadline: what the gate, the doctor and the managed daemon share.
        .target(name: "HyperionProcess", dependencies: ["CHyperionLinux"]),
        .target(
            name: "HyperionSPA",
            dependencies: [
                "HyperionWire", "HyperionCrypto", "CHyperionLinux", "HyperionProcess",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // L3 TUN mode on Linux: the device (ioctl and rtnetlink shims in CHyperionLinux) and
        // the one-thread packet loop that reads, hands each packet to a handler and writes.
        .target(
            name: "HyperionTun",
            dependencies: [
                "CHyperionLinux", "HyperionNAT", "HyperionTunnel", "HyperionConfig", "HyperionDNS", "HyperionProcess",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Test-only helper: runs an SPAGate from flags so the kernel-level tests can start
        // it inside a network namespace with `ip netns exec`. Not a product; not documented.
        .executableTarget(
            name: "hyperion-spa-probe",
            dependencies: [
                "HyperionSPA", "HyperionWire", "HyperionCrypto",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "HyperionTunnel",
            dependencies: [
                "HyperionCrypto", "HyperionWire", "HyperionMux", "HyperionConfig", "HyperionDNS", "HyperionProcess",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // No dependencies at all (not even Foundation): pure, and quick to build for Fuzz/.
        .target(name: "HyperionNAT"),
        // The same for the DNS responder.
        .target(name: "HyperionDNS"),
        .target(
            name: "HyperionConfig",
            dependencies: [
                "HyperionCrypto",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .target(
            name: "HyperionCommandLine",
            dependencies: [
                // CHyperionLinux: the server's privilege drop (capabilities, setresuid, mlock).
                "HyperionCrypto", "HyperionConfig", "HyperionTunnel", "HyperionProcess", "CHyperionLinux",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "hyperion-server",
            dependencies: [
                "HyperionCrypto", "HyperionWire", "HyperionConfig", "HyperionCommandLine", "HyperionTunnel", "HyperionSPA",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "hyperion-client",
            dependencies: [
                "HyperionCrypto", "HyperionWire", "HyperionConfig", "HyperionCommandLine", "HyperionTunnel",
                .target(name: "HyperionTun", condition: .when(platforms: [.linux], traits: ["TUN"])),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "hyperion-bench",
            dependencies: [
                "HyperionCrypto", "HyperionWire",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "HyperionCryptoTests",
            dependencies: ["HyperionCrypto"],
            resources: [.copy("Vectors")]
        ),
        .testTarget(
            name: "HyperionWireTests",
            dependencies: ["HyperionWire", "HyperionCrypto", .product(name: "NIOCore", package: "swift-nio")],
            resources: [.copy("Vectors")]
        ),
        .testTarget(
            name: "HyperionMuxTests",
            dependencies: [
                "HyperionMux", "HyperionWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "HyperionSPATests",
            dependencies: ["HyperionSPA", "HyperionWire", "HyperionCrypto", "hyperion-spa-probe"],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "HyperionTunnelTests",
            dependencies: [
                "HyperionTunnel", "HyperionMux", "HyperionWire", "HyperionCrypto", "HyperionConfig", "HyperionDNS",
                // SystemTool and runCommand, for the DNS server queried by dig.
                "HyperionTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            // nft -j list ruleset as captured in a network namespace, with the .nft it loaded.
            resources: [.copy("Fixtures")]
        ),
        // Test-only C calls of the system tests (pidfd_getfd to read the real processes'
        // socket options, posix_spawn's chdir). Not linked into any product.
        .target(name: "CHyperionTestSupport", path: "Tests/CHyperionTestSupport"),
        // What the process-level test targets share: real binaries as child processes (as an
        // unprivileged user when the runner is root), configs and keys, services and probes,
        // network namespaces. Test-only, never linked into a product; the test targets use
        // it through `@testable import`.
        .target(
            name: "HyperionTestSupport",
            dependencies: [
                "HyperionCrypto", "CHyperionLinux", "CHyperionTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/HyperionTestSupport"
        ),
        .testTarget(
            name: "HyperionSystemTests",
            dependencies: [
                "HyperionTestSupport", "HyperionCrypto", "CHyperionLinux", "CHyperionTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Issue 16's fault suite: real binaries on hosts in network namespaces (root), run
        // on its own by scripts/test so that its time bounds see no other suite's load.
        .testTarget(
            name: "HyperionFaultTests",
            dependencies: [
                "HyperionTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "HyperionNATTests",
            dependencies: ["HyperionNAT"]
        ),
        .testTarget(
            name: "HyperionDNSTests",
            dependencies: ["HyperionDNS"]
        ),
        .testTarget(
            name: "HyperionTunTests",
            dependencies: [
                "HyperionTun", "HyperionTunnel", "HyperionNAT", "CHyperionLinux",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // TUN mode with the real binaries: the client's device, routes and NAT on an admin
        // host in a network namespace (root), run on its own by scripts/test.
        .testTarget(
            name: "HyperionTunModeTests",
            dependencies: ["HyperionTestSupport", "HyperionProcess"]
        ),
        .testTarget(name: "HyperionProcessTests", dependencies: ["HyperionProcess"]),
        .testTarget(
            name: "HyperionConfigTests",
            dependencies: ["HyperionConfig", "HyperionCrypto"]
        ),
        .testTarget(
            name: "HyperionCommandLineTests",
            dependencies: ["HyperionCommandLine"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
