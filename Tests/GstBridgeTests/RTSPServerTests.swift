import Foundation
import Testing
@testable import GstBridge

@Suite("RTSP server")
struct RTSPServerTests {
    /// A port already taken (the previous instance still shutting down, another program) is a
    /// typed error naming the port; the half-built server is released once. Releasing it twice
    /// used to hang the daemon in deinit instead of reporting the error.
    @Test("a port in use is reported, not hung on")
    func portInUse() throws {
        var first: RTSPServer?
        var port = 0
        for _ in 0..<20 where first == nil {
            port = Int.random(in: 30000...59000)
            first = try? RTSPServer(port: port, path: "/a", hasAudio: false)
        }
        #expect(first != nil, "no free port found for the first server")
        guard first != nil else { return }
        #expect(throws: GstError.self) { _ = try RTSPServer(port: port, path: "/b", hasAudio: false) }
        do {
            _ = try RTSPServer(port: port, path: "/b", hasAudio: false)
        } catch {
            #expect("\(error)".contains("port \(port)"))
        }
        // The first server still works and shuts down normally.
        #expect(first?.url == "rtsp://127.0.0.1:\(port)/a")
        first = nil
        // Its port is free again once the server's listening source is gone; GLib may finish
        // that a moment after the last reference (a loaded machine), so allow a few seconds.
        var again: RTSPServer?
        for _ in 0..<50 where again == nil {
            again = try? RTSPServer(port: port, path: "/c", hasAudio: false)
            if again == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(again != nil, "port \(port) was not released within 5 s of the server's release")
    }
}
