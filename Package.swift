// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "ClusterDeck",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "clusterdeck", targets: ["clusterdeck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // The consensus core: pure, deterministic, standard library only.
        .target(name: "Raft"),
        // The same core on a virtual clock and network, seeded.
        .target(
            name: "Simulation",
            dependencies: [
                "Raft",
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        .executableTarget(
            name: "clusterdeck",
            dependencies: [
                "Raft",
                "Simulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "RaftTests", dependencies: ["Raft"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Raft"]),
    ],
    swiftLanguageModes: [.v6]
)
