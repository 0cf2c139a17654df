// swift-tools-version: 6.2
// The floor of a SwiftNIO reverse proxy on this machine, for bench/run (FLOOR=1): how much CPU a
// request costs through NIO with no gateway logic at all, next to nginx and the gateway.
import PackageDescription

let package = Package(
    name: "nio-floor",
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3")
    ],
    targets: [
        .executableTarget(
            name: "nio-floor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        )
    ],
    swiftLanguageModes: [.v5]
)
