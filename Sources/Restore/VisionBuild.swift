import CVision
import Foundation

/// Whether this CPU can run the dlib/OpenCV shim as it was compiled. Package.swift builds it for
/// x86-64-v3 (AVX2, FMA …) on a machine that has those; the same binary copied to an older CPU
/// would otherwise die on an illegal instruction at the first detection, with no message.
public enum VisionBuild {
    /// The shim's `-march` ("" for the compiler's baseline).
    public static var march: String { String(cString: cv_build_march()) }

    /// What each x86-64 level adds, in /proc/cpuinfo's flag names (abm = LZCNT, xsave for
    /// OSXSAVE); a level needs its own and every lower level's. Package.swift's visionMarch()
    /// keeps its own copy of the v3 list (a manifest cannot import a target): change both.
    private static let levels: [(march: String, adds: [String])] = [
        ("x86-64", []),
        ("x86-64-v2", ["cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"]),
        ("x86-64-v3", ["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"]),
        ("x86-64-v4", ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]),
    ]

    /// The features of `march` absent from `cpuFlags`, sorted; nil for a `march` this check does
    /// not know (`native`, a CPU name), which is then not checked.
    static func missing(march: String, cpuFlags: Set<String>) -> [String]? {
        if march.isEmpty { return [] }
        guard let level = levels.firstIndex(where: { $0.march == march }) else { return nil }
        return levels[...level].flatMap(\.adds).filter { !cpuFlags.contains($0) }.sorted()
    }

    /// The `flags` line of /proc/cpuinfo (empty when unreadable).
    static func cpuFlags(cpuinfo: String) -> Set<String> {
        guard let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// Computed once: the CPU does not change under a running process.
    private static let verdict: VisionError? = {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        let flags = cpuFlags(cpuinfo: info)
        guard !flags.isEmpty, let absent = missing(march: march, cpuFlags: flags), !absent.isEmpty else { return nil }
        return .cpuLacksBuildFeatures(march: march, missing: absent)
    }()

    /// Throws when this CPU lacks an instruction set the shim was compiled for.
    public static func requireRunnableCPU() throws(VisionError) {
        if let verdict { throw verdict }
    }
}
