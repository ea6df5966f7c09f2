// swift-tools-version: 6.0
import PackageDescription

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOExtras", package: "swift-nio-extras"),
]

let package = Package(
    name: "ClusterDeck",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "clusterdeck", targets: ["clusterdeck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        // Latency percentiles for `clusterdeck bench`.
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // The consensus core: pure, deterministic, standard library only.
        .target(name: "Raft"),
        // Deterministic state machines applied to committed entries (KV store, client sessions).
        .target(name: "Services", dependencies: ["Raft"]),
        // The node loop: a replication core, the services, client answers and the Ready ordering;
        // run by the node process and by the simulator alike.
        .target(name: "Replica", dependencies: ["Raft", "Services"]),
        // Frames and message encodings shared by node and console. A node's state and events are
        // ClusterAPI's values (one definition), so Wire imports that light module.
        .target(name: "Wire", dependencies: ["Raft", "Services", "ClusterAPI"]),
        // The command language shared by the shell, `ctl`, the TUI and scenarios: parsing and help.
        .target(name: "CommandLanguage"),
        // Linearizability of client histories (KV registers, locks): pure; Foundation for JSON, the
        // core's seeded generator for generated histories.
        // One client operation as recorded and as checked (docs/HISTORY.md): shared by the checker and
        // ClusterAPI, so neither borrows the other's types.
        .target(name: "ClientHistory"),
        .target(name: "Checker", dependencies: ["Raft", "ClientHistory"]),
        // The one system call Swift does not import (prctl), for "no orphans".
        .target(name: "CShims"),
        // The node process: event loop, timers, write-ahead log, control socket.
        .target(name: "NodeRuntime", dependencies: ["Raft", "Services", "Replica", "Wire", "ClusterAPI", "CommandLanguage", "CShims"] + nio),
        // The console's headless engine: supervisor, network fabric, clients, journal.
        .target(
            name: "Cluster",
            dependencies: [
                "ClusterAPI", "Raft", "Services", "Wire", "CommandLanguage", "NodeRuntime", "Checker",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                // Latency percentiles for drills (and, through this module, the benches).
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ] + nio
        ),
        // What every front end trades with a back end: events, node views and states with their own
        // role enum, message records, the summary, timing, command output and history records, as
        // values it owns (no Raft, no Checker, no NIO, no processes).
        .target(name: "ClusterAPI", dependencies: ["CommandLanguage", "ClientHistory"]),
        // The TUI: model, key bindings and views rendered into a cell grid (no terminal here).
        .target(name: "Console", dependencies: ["ClusterAPI", "CommandLanguage"]),
        // The only ncurses user: paints a Screen, reads keys and resizes.
        .systemLibrary(name: "CNCurses", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
        .target(name: "Terminal", dependencies: ["Console", "CNCurses"]),
        // The same core on a virtual clock and network, seeded.
        .target(
            name: "Simulation",
            dependencies: [
                "Raft", "Services", "Replica", "Checker",
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        // etcd's v3 HTTP/JSON gateway over SwiftNIO: keep-alive connections, typed requests and
        // answers (base64 bytes, 64-bit integers as strings) for the bench and, later, an etcd back end.
        .target(
            name: "EtcdClient",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Real etcd members behind ClusterBackend: the member supervisor (also the bench's way to
        // start etcd), the per-directed-link peer proxy, the status poller and KV clients.
        .target(
            name: "EtcdBackend",
            dependencies: [
                "ClusterAPI", "CommandLanguage", "EtcdClient", "Cluster", "Checker", "CShims", "Raft",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Seeded fuzzing of the frame decoder, command and scenario parsers and WAL recovery.
        .target(
            name: "Fuzzing",
            dependencies: [
                "Raft", "Services", "Wire", "ClusterAPI", "CommandLanguage", "NodeRuntime",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        // Benchmarks and load generators: ClusterDeck and etcd measured by the same code.
        .target(
            name: "Bench",
            dependencies: [
                "Raft", "Wire", "ClusterAPI", "Cluster", "Console", "Checker", "EtcdClient", "CommandLanguage", "EtcdBackend",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Argument parsing and wiring only.
        .executableTarget(
            name: "clusterdeck",
            dependencies: [
                "Raft", "Simulation", "NodeRuntime", "ClusterAPI", "Cluster", "CommandLanguage", "Console", "Terminal",
                "Checker", "Fuzzing", "Bench", "EtcdClient", "EtcdBackend",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "RaftTests", dependencies: ["Raft"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Raft", "Checker"]),
        .testTarget(name: "ServicesTests", dependencies: ["Services", "Raft"]),
        .testTarget(name: "ReplicaTests", dependencies: ["Replica", "Services", "Raft"]),
        .testTarget(name: "WireTests", dependencies: ["Wire", "ClusterAPI", "Raft", "Services"]),
        .testTarget(name: "CommandLanguageTests", dependencies: ["CommandLanguage"]),
        .testTarget(name: "CheckerTests", dependencies: ["Checker", "Raft"]),
        .testTarget(name: "EtcdClientTests", dependencies: ["EtcdClient"]),
        .testTarget(name: "BenchTests", dependencies: ["Bench"]),
        .testTarget(name: "EtcdBackendTests",
                    dependencies: ["EtcdBackend", "EtcdClient", "ClusterAPI", "CommandLanguage", "Cluster"]),
        .testTarget(name: "FuzzTests", dependencies: ["Fuzzing", "Raft", "Wire", "NodeRuntime"]),
        .testTarget(name: "NodeRuntimeTests", dependencies: ["NodeRuntime", "ClusterAPI", "Raft", "Wire", "Services"]),
        .testTarget(name: "ClusterTests", dependencies: ["Cluster", "ClusterAPI", "Wire", "CommandLanguage", "Checker"]),
        // Golden frames are read by path (#filePath), not bundled.
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "ClusterAPI", "CommandLanguage", "Cluster", "Wire", "Raft", "Services"],
                    exclude: ["Golden"]),
    ],
    swiftLanguageModes: [.v6]
)
