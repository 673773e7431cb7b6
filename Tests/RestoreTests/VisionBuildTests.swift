import Foundation
@testable import Restore
import Testing

/// The check that the CPU can run the vision shim as Package.swift compiled it.
@Suite("vision shim build: -march chosen for the build host, checked on the running CPU")
struct VisionBuildTests {
    /// A Zen 2-like flags line (has x86-64-v3, not v4).
    private let zen2 = "processor\t: 0\nflags\t\t: fpu sse2 ssse3 cx16 lahf_lm popcnt sse4_1 sse4_2 avx avx2 bmi1 bmi2 f16c fma abm movbe xsave\n"

    @Test("each level needs its own features and those of the levels below")
    func levels() {
        let flags = VisionBuild.cpuFlags(cpuinfo: zen2)
        #expect(VisionBuild.missing(march: "", cpuFlags: flags) == [])
        #expect(VisionBuild.missing(march: "x86-64", cpuFlags: []) == [])
        #expect(VisionBuild.missing(march: "x86-64-v3", cpuFlags: flags) == [])
        #expect(VisionBuild.missing(march: "x86-64-v4", cpuFlags: flags) == ["avx512bw", "avx512cd", "avx512dq", "avx512f", "avx512vl"])
        // A pre-Haswell CPU: v2 but no AVX2, FMA, BMI …
        let sandyBridge = flags.subtracting(["avx2", "bmi1", "bmi2", "fma", "abm", "movbe", "f16c"])
        #expect(VisionBuild.missing(march: "x86-64-v3", cpuFlags: sandyBridge) == ["abm", "avx2", "bmi1", "bmi2", "f16c", "fma", "movbe"])
        #expect(VisionBuild.missing(march: "x86-64-v3", cpuFlags: sandyBridge.subtracting(["popcnt"]))?.contains("popcnt") == true)
        // Values it cannot map to features are not checked.
        #expect(VisionBuild.missing(march: "native", cpuFlags: []) == nil)
    }

    @Test("the flags line is read after its colon; no flags line gives none")
    func parsing() {
        #expect(VisionBuild.cpuFlags(cpuinfo: zen2).contains("avx2"))
        #expect(!VisionBuild.cpuFlags(cpuinfo: zen2).contains(":"))
        #expect(VisionBuild.cpuFlags(cpuinfo: "processor : 0\n").isEmpty)
    }

    @Test("the error names the build's level, the missing features and both ways out")
    func message() {
        let text = VisionError.cpuLacksBuildFeatures(march: "x86-64-v3", missing: ["avx2", "fma"]).description
        #expect(text.contains("x86-64-v3") && text.contains("avx2, fma"))
        #expect(text.contains("swift build -c release") && text.contains("FACERESTORED_MARCH=x86-64"))
    }

    /// Package.swift's choice reached the compiled shim: FACERESTORED_MARCH when the build had it,
    /// else x86-64-v3 exactly when this (building and testing) machine has it.
    @Test("the shim reports the -march Package.swift chose for this machine, and this CPU runs it")
    func thisMachine() throws {
        let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = VisionBuild.cpuFlags(cpuinfo: info)
        if let chosen = ProcessInfo.processInfo.environment["FACERESTORED_MARCH"] {
            #expect(VisionBuild.march == chosen)
        } else {
            #if arch(x86_64)
            #expect(VisionBuild.march == (VisionBuild.missing(march: "x86-64-v3", cpuFlags: flags) == [] ? "x86-64-v3" : ""))
            #else
            #expect(VisionBuild.march == "")
            #endif
        }
        try VisionBuild.requireRunnableCPU()
        _ = try FaceDetector()
    }
}
