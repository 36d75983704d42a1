// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for Hyperion's parsers and state machines (docs/SECURITY.md, "Fuzzing").
// A package of its own, like Benchmarks/, so that the main build never compiles them: they
// only build with `-sanitize=fuzzer`, which links libFuzzer's own `main`. Build and run them
// with scripts/fuzz; each executable is one target, named after its directory. Each has an
// `@main` that hands libFuzzer its `fuzz(_:_:)` function (see FuzzDriver for why).
/// Each target: its name (fuzz-NAME, sources in Sources/NAME) and what it fuzzes.
let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
    ("nat", [.product(name: "HyperionNAT", package: "Hyperion")]),
    ("yamux", [
        .product(name: "HyperionMux", package: "Hyperion"), .product(name: "HyperionWire", package: "Hyperion"),
        .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
    ]),
    ("frames", [
        .product(name: "HyperionWire", package: "Hyperion"), .product(name: "HyperionCrypto", package: "Hyperion"),
        .product(name: "NIOCore", package: "swift-nio"),
    ]),
    ("knock", [
        .product(name: "HyperionSPA", package: "Hyperion"), .product(name: "HyperionWire", package: "Hyperion"),
        .product(name: "HyperionCrypto", package: "Hyperion"),
    ]),
    ("handshake", [.product(name: "HyperionCrypto", package: "Hyperion")]),
    ("dns", [.product(name: "HyperionDNS", package: "Hyperion")]),
    ("config", [.product(name: "HyperionConfig", package: "Hyperion")]),
    ("control", [.product(name: "HyperionTunnel", package: "Hyperion")]),
]

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
    ] + fuzzTargets.map { target in
        .executableTarget(name: "fuzz-\(target.name)", dependencies: ["FuzzSupport"] + target.dependencies, path: "Sources/\(target.name)")
    },
    swiftLanguageModes: [.v6]
)
