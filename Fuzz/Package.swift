// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for Hyperion's parsers and state machines (docs/SECURITY.md, "Fuzzing").
// A package of its own, like Benchmarks/, so that the main build never compiles them: they
// only build with `-sanitize=fuzzer`, which links libFuzzer's own `main`. Build and run them
// with scripts/fuzz; each executable is one target, named after its directory. Each has an
// `@main` that hands libFuzzer its `fuzz(_:_:)` function (see FuzzDriver for why).
let package = Package(
    name: "HyperionFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Hyperion", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // libFuzzer's driver entry point and the input reader every target shares.
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"]),
        .executableTarget(
            name: "fuzz-nat",
            dependencies: ["FuzzSupport", .product(name: "HyperionNAT", package: "Hyperion")],
            path: "Sources/nat"
        ),
        .executableTarget(
            name: "fuzz-yamux",
            dependencies: [
                "FuzzSupport",
                .product(name: "HyperionMux", package: "Hyperion"),
                .product(name: "HyperionWire", package: "Hyperion"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/yamux"
        ),
        .executableTarget(
            name: "fuzz-frames",
            dependencies: [
                "FuzzSupport",
                .product(name: "HyperionWire", package: "Hyperion"),
                .product(name: "HyperionCrypto", package: "Hyperion"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/frames"
        ),
        .executableTarget(
            name: "fuzz-knock",
            dependencies: [
                "FuzzSupport",
                .product(name: "HyperionSPA", package: "Hyperion"),
                .product(name: "HyperionWire", package: "Hyperion"),
                .product(name: "HyperionCrypto", package: "Hyperion"),
            ],
            path: "Sources/knock"
        ),
        .executableTarget(
            name: "fuzz-handshake",
            dependencies: ["FuzzSupport", .product(name: "HyperionCrypto", package: "Hyperion")],
            path: "Sources/handshake"
        ),
        .executableTarget(
            name: "fuzz-dns",
            dependencies: ["FuzzSupport", .product(name: "HyperionDNS", package: "Hyperion")],
            path: "Sources/dns"
        ),
        .executableTarget(
            name: "fuzz-config",
            dependencies: ["FuzzSupport", .product(name: "HyperionConfig", package: "Hyperion")],
            path: "Sources/config"
        ),
    ],
    swiftLanguageModes: [.v6]
)
