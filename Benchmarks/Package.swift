// swift-tools-version:6.1
import PackageDescription

// In-process microbenchmarks of Hyperion's hot paths (docs/PERFORMANCE.md, "Microbenchmarks").
// A package of its own so that the main build, CI and the demo never compile ordo-one/benchmark.
// Run them with scripts/microbench.
let package = Package(
    name: "HyperionBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Hyperion", path: ".."),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // Only the malloc interposer (allocation counts). The default traits would add the
        // Linux/Swift 6.3 ARC runtime interposer, a package that is not available here.
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HyperionMicro",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HyperionCrypto", package: "Hyperion"),
                .product(name: "HyperionWire", package: "Hyperion"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/HyperionMicro",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
