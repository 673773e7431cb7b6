import GstBridge
import Testing
@testable import StreamDaemon

@Suite("A stream's file output never overwrites an earlier session's recording")
struct RecordingPathsTests {
    @Test("an existing file makes the session write the first free name-N.ext; other outputs are untouched")
    func freshNames() {
        let taken: Set<String> = ["/rec/cam.mkv", "/rec/cam-1.mkv", "/rec/raw"]
        let outputs: [OutputSpec] = [.file(path: "/rec/cam.mkv"), .file(path: "/rec/new.mp4"), .file(path: "/rec/raw"),
                                     .rtsp(address: "127.0.0.1", port: 8554, path: "/face")]
        let r = RecordingPaths.fresh(outputs) { taken.contains($0) }
        #expect(r.outputs == [.file(path: "/rec/cam-2.mkv"), .file(path: "/rec/new.mp4"), .file(path: "/rec/raw-1"),
                              .rtsp(address: "127.0.0.1", port: 8554, path: "/face")])
        #expect(r.renamed.map(\.to) == ["/rec/cam-2.mkv", "/rec/raw-1"])
    }
}
