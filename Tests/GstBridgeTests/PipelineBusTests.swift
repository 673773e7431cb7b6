import Foundation
import Media
import Testing
@testable import GstBridge

@Suite("Pipeline bus messages")
struct PipelineBusTests {
    /// Runs `description` to its end and returns the error it posted.
    private func error(of description: String) throws -> GstError? {
        let pipeline = try Pipeline(description: description, label: "test")
        defer { pipeline.stop() }
        do {
            try pipeline.play(timeout: 10)
            _ = try pipeline.waitForEndOfStream(timeout: 10)
        } catch {
            return error
        }
        return nil
    }

    @Test("a parser that saw no valid frame before the end is a stream failure, not a missing plugin")
    func parserWithoutFrames() throws {
        // Bytes that hold no H.264 start code: h264parse posts STREAM/WRONG_TYPE at EOS. Saying
        // "install the plugins" there sent operators after packages they already had.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let junk = dir.appendingPathComponent("junk.h264")
        try Data(repeating: 0x5A, count: 4096).write(to: junk)
        let e = try error(of: "filesrc location=\(junk.path) ! h264parse ! fakesink")
        guard case .streamFailed(let element, let message, _)? = e else {
            Issue.record("expected a stream failure, got \(String(describing: e))")
            return
        }
        #expect(element.hasPrefix("h264parse"))
        #expect(message.contains("No valid frames"))
    }

    @Test("a warning held while the pipeline starts does not stall `play`: its time-out still comes")
    func heldWarningDoesNotSpin() throws {
        // uridecodebin posts a warning while prerolling (see `clipWithUndecodableTrack`); the
        // appsrc branch never prerolls, so `play` polls until its time-out. It used to hand the
        // held warning back to itself forever, at 100 % CPU.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let mkv = try clipWithUndecodableTrack(in: dir)
        let pipeline = try Pipeline(description: "uridecodebin uri=file://\(mkv.path) ! fakesink appsrc ! fakesink",
                                    label: "test")
        defer { pipeline.stop() }
        let outcome = LockedValue<GstError?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            do throws(GstError) { try pipeline.play(timeout: 2) } catch { outcome.update { $0 = error } }
            done.signal()
        }.start()
        let returned = done.wait(timeout: .now() + 20) == .success
        #expect(returned, "play(timeout: 2) had not returned after 20 s")
        guard returned else { return }
        guard case .timedOut? = outcome.get() else {
            Issue.record("expected the start to time out, got \(String(describing: outcome.get()))")
            return
        }
        // The warning is still handed on after the failed start.
        var warnings: [String] = []
        while case .warning(let w)? = pipeline.nextEvent(timeout: 0) { warnings.append(w) }
        #expect(warnings.contains { $0.contains("decoder") || $0.contains("decode") }, "\(warnings)")
    }
}
