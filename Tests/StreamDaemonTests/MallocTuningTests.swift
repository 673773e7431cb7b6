import Foundation
import Testing
@testable import StreamDaemon

@Suite struct MallocTuningTests {
    /// The kernel reports the process's huge-page setting in /proc/self/status (Linux ≥ 5.0):
    /// after `configure` it must be off, or x264's MADV_HUGEPAGE buffers would again leave
    /// huge-page ranges in the heap (see MallocTuning).
    @Test func transparentHugePagesAreOffAfterConfigure() throws {
        try #require(ProcessInfo.processInfo.environment["FACERESTORED_HUGEPAGES"] == nil,
                     "FACERESTORED_HUGEPAGES is set: it keeps huge pages on")
        MallocTuning.configure()
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("THP_enabled:") }
        try #require(line != nil, "this kernel does not report THP_enabled")
        #expect(line?.split(separator: "\t").last == "0")
    }
}
