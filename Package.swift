// swift-tools-version:6.0
import Foundation
import PackageDescription

/// The `-march` the dlib/OpenCV shim is compiled for: `FACERESTORED_MARCH` when set ("x86-64"
/// for a build that runs on any x86-64 CPU, e.g. a package); otherwise x86-64-v3 (AVX2, FMA,
/// BMI2 …) when the building machine has all of it, as dlib's own CMake enables AVX when the
/// build host can run it. dlib's FHOG and detector scan are written for 8-wide SIMD: with AVX2
/// the analysis thread needs ~20 % less CPU on 720p30 (README "Benchmarks"). The daemon checks
/// at start that the CPU it runs on has what the shim was built for (Restore/VisionBuild.swift).
func visionMarch() -> String? {
    if let chosen = Context.environment["FACERESTORED_MARCH"] { return chosen.isEmpty ? nil : chosen }
    #if arch(x86_64)
    // x86-64-v3's features under their /proc/cpuinfo names (abm = LZCNT, xsave for OSXSAVE);
    // the same list as VisionBuild.levels, which the manifest cannot import: change both.
    let v3: Set<Substring> = ["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"]
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return nil }
    return v3.isSubset(of: Set(flags.split(separator: " "))) ? "x86-64-v3" : nil
    #else
    return nil
    #endif
}
let visionMarchFlags = visionMarch().map { ["-march=\($0)", "-DFACERESTORED_VISION_MARCH=\"\($0)\""] } ?? []

// Native dependencies come from Debian 12 (see README "Install"): GStreamer 1.22 with
// gst-rtsp-server, FFTW, OpenBLAS, dlib and OpenCV (imgproc, video: Farneback flow). Swift
// packages are the well-kept server-side ones.
let package = Package(
    name: "facerestored",
    products: [
        .executable(name: "facerestored", targets: ["StreamDaemon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.60.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // GStreamer headers and libraries. The rtsp-server .pc pulls in gstreamer-1.0; the
        // app/video/audio/pbutils libraries are added by `link` lines in the module map because
        // a system library target takes only one pkg-config name.
        .systemLibrary(
            name: "CGstSystem",
            path: "Sources/CGstSystem",
            pkgConfig: "gstreamer-rtsp-server-1.0",
            providers: [.apt(["libgstreamer1.0-dev", "libgstreamer-plugins-base1.0-dev", "libgstrtspserver-1.0-dev"])]
        ),
        // Thin C shim: variadic GLib calls and macros the Swift importer cannot see.
        .target(
            name: "CGst", dependencies: ["CGstSystem"], path: "Sources/CGst",
            linkerSettings: ["gstapp-1.0", "gstvideo-1.0", "gstaudio-1.0", "gstpbutils-1.0", "gstrtspserver-1.0",
                             "gstbase-1.0", "gstreamer-1.0", "gobject-2.0", "glib-2.0"].map { .linkedLibrary($0) }
        ),
        // Thin C++ shim over dlib 19.24 (HOG face detector, FHOG, 68-point shape predictor) and
        // OpenCV 4.6 (Farneback flow, remap; headers under /usr/include/opencv4 without a .pc
        // unless the whole libopencv-dev is installed) with a
        // plain C ABI (include/cvision.h). dlib's headers are in /usr/include, so no search path;
        // its header-only code (HOG scanner, FHOG, shape predictor) compiles into this target,
        // hence -O3 in every configuration (dlib at -O0 is many times slower), and -march from
        // visionMarch() above.
        // SwiftPM drops the absolute .so paths in dlib-1.pc, so the libraries are named here
        // (the shim calls cblas_dgemm, dgesvd_, dgesdd_ itself through dlib's headers; libdlib.so
        // brings its own png/jpeg, which the shim does not use).
        .target(
            name: "CVision", path: "Sources/CVision",
            cxxSettings: [.unsafeFlags(["-O3", "-I/usr/include/opencv4"] + visionMarchFlags)],
            linkerSettings: ["dlib", "lapack", "blas", "opencv_video", "opencv_imgproc", "opencv_core"].map { .linkedLibrary($0) }
        ),
        // Thin C++ shim over oneDNN 2.6 (libdnnl-dev) with a plain C ABI (include/cdnnl.h): the
        // engine's bfloat16 convolutions, for CPUs that compute bf16 natively (AVX512_BF16, AMX),
        // where they make the engine ~1.4× faster than on float32 sgemm (README "Benchmarks").
        // Debian builds oneDNN with the OpenMP runtime, hence gomp.
        .target(
            name: "CDnnl", path: "Sources/CDnnl",
            cxxSettings: [.unsafeFlags(["-O3"])],
            linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]
        ),
        // sd_notify (READY/WATCHDOG/STOPPING) from libsystemd, for Type=notify services.
        .systemLibrary(
            name: "CSystemd",
            path: "Sources/CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // glibc's malloc_trim (malloc.h is not part of Swift's Glibc module).
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // sgemm for the inference engine's convolutions (im2col + GEMM) and linear layers.
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CFFTW",
            path: "Sources/CFFTW",
            pkgConfig: "fftw3f",
            providers: [.apt(["libfftw3-dev"])]
        ),
        // Plain value types and the bounded hand-over queue shared by GstBridge and Restore, so
        // that neither has to import the other.
        .target(name: "Media", swiftSettings: [.swiftLanguageMode(.v6)]),
        .target(
            name: "GstBridge",
            dependencies: ["CGst", "Media", .product(name: "Logging", package: "swift-log")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "Restore",
            dependencies: ["CDnnl", "CFFTW", "COpenBLAS", "CVision", "Media", .product(name: "Logging", package: "swift-log")],
            swiftSettings: [.swiftLanguageMode(.v6), .unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "StreamDaemon",
            dependencies: [
                "GstBridge", "Restore", "Media", "CSystemd", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(name: "MediaTests", dependencies: ["Media"], path: "Tests/MediaTests"),
        .testTarget(name: "GstBridgeTests", dependencies: ["GstBridge", "Media"], path: "Tests/GstBridgeTests"),
        .testTarget(name: "RestoreTests", dependencies: ["Restore", "Media"], path: "Tests/RestoreTests"),
        .testTarget(name: "StreamDaemonTests", dependencies: ["StreamDaemon", "GstBridge", "Restore", "Media"],
                    path: "Tests/StreamDaemonTests"),
    ]
)
