import Foundation
import Testing

@Suite("run with a file source")
struct RunFileSourceTests {
    /// `pipelines/file-to-file.yaml` style: the stream ends by itself, which is success. The
    /// service group used to call it "a service has finished unexpectedly" and exit 1 after
    /// writing a complete output.
    @Test("a file source that ends exits 0 with every frame written")
    func fileSourceEndsCleanly() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.mkv").path
        let config = dir.appendingPathComponent("file.yaml")
        try """
            source: \(TestSupport.demoClip)
            model: none
            outputs:
              - file: \(out)
            """.write(to: config, atomically: true, encoding: .utf8)
        let r = try TestSupport.run(TestSupport.binary, ["run", "--config", config.path])
        #expect(r.status == 0, "stderr: \(r.stderr.suffix(600))")
        #expect(!r.stderr.contains("finished unexpectedly"))
        let decoded = try TestSupport.decode(out)
        #expect(decoded.frames.count == 75)
    }
}
