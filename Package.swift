// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Accordion",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "accordion", targets: ["accordion"]),
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "NeuralNets", targets: ["NeuralNets"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Dimensionality", targets: ["Dimensionality"]),
        .library(name: "Claims", targets: ["Claims"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CStdio", path: "Sources/CStdio"),
        .target(name: "Tensors", dependencies: ["CBLAS", "Statistics"]),
        .target(name: "Datasets", dependencies: [
            "Tensors", "CZlib", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Direct convolution kernels (C with AVX2 and AVX-512 intrinsics, chosen at run time); -O2 even in
        // debug builds, so that tests on real image sizes stay fast.
        .target(name: "CConvKernels", cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "NeuralNets", dependencies: ["Tensors", "CConvKernels"]),
        // Estimator names, settings, defaults and ranges, shared by the engine and the spec decoder.
        .target(name: "EstimatorVocabulary"),
        .target(name: "Dimensionality", dependencies: ["Tensors", "CBLAS", "EstimatorVocabulary"]),
        .target(name: "Benchmarks", dependencies: ["Tensors", "NeuralNets", "Datasets"]),
        .target(name: "ExperimentSpec", dependencies: ["Yams", "EstimatorVocabulary"]),
        // Mean, standard deviation, ranks and correlations, shared by Claims and Reports; SplitMix64, which
        // also seeds the engine's random streams.
        .target(name: "Statistics"),
        .target(name: "Claims", dependencies: ["ExperimentSpec", "Statistics"]),
        .target(name: "ResultBundles", dependencies: [
            "Tensors", "Dimensionality", "ExperimentSpec", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Reports", dependencies: ["Statistics"]),
        .target(name: "Pipeline", dependencies: [
            "Claims", "Tensors", "Datasets", "NeuralNets", "Dimensionality", "ExperimentSpec", "ResultBundles", "Reports", "Statistics",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .executableTarget(name: "accordion", dependencies: [
            "Pipeline", "Claims", "ExperimentSpec", "ResultBundles", "Reports", "CStdio", "Benchmarks",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "AccordionTestSupport", dependencies: ["Tensors"], path: "Tests/AccordionTestSupport"),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "AccordionTestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "AccordionTestSupport"]),
        .testTarget(name: "NeuralNetsTests", dependencies: ["NeuralNets", "CConvKernels", "AccordionTestSupport"]),
        .testTarget(name: "DimensionalityTests", dependencies: ["Dimensionality", "AccordionTestSupport"]),
        .testTarget(name: "ExperimentSpecTests", dependencies: ["ExperimentSpec", "EstimatorVocabulary", "AccordionTestSupport", "Yams"]),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics"]),
        .testTarget(name: "ClaimsTests", dependencies: ["Claims", "ExperimentSpec", "Statistics", "AccordionTestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: [
            "Pipeline", "ExperimentSpec", "ResultBundles", "EstimatorVocabulary", "AccordionTestSupport", "NeuralNets", "Tensors",
            "Reports", "Statistics",
        ]),
        .testTarget(name: "ResultBundlesTests", dependencies: ["ResultBundles", "Tensors", "AccordionTestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Statistics", "AccordionTestSupport"], exclude: ["Golden"]),
    ]
)

// Every module a file uses must be imported by that file and declared by its target.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("MemberImportVisibility")]
}

// The engine's numeric modules are optimized in debug builds too (assertions kept, as in a debug
// build): unoptimized, their generic arithmetic spends most of the test suite's time in the Swift
// runtime's dynamic casts. Bounds and overflow checks stay, as in release.
let optimizedInDebug: Set<String> = ["Tensors", "NeuralNets", "Dimensionality", "Datasets"]
for target in package.targets where optimizedInDebug.contains(target.name) {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-O", "-assert-config", "Debug"], .when(configuration: .debug))]
}
