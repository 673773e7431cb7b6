import Foundation
import Media

/// A one-line progress display (frames, fps, ETA) on a terminal's standard error; silent when
/// standard error is not a terminal, so logs and CI output stay clean.
final class ProgressBar {
    private let enabled: Bool
    private let started = MonotonicClock.now()
    private var lastDraw: UInt64 = 0

    init(enabled: Bool = isatty(STDERR_FILENO) != 0) { self.enabled = enabled }

    func update(done: Int, total: Int?) {
        guard enabled else { return }
        let now = MonotonicClock.now()
        guard now - lastDraw > 100_000_000 || done == total else { return }
        lastDraw = now
        let elapsed = Double(now - started) / 1e9
        let fps = elapsed > 0 ? Double(done) / elapsed : 0
        var line = "\r"
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let width = 30
            let filled = Int(fraction * Double(width))
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            line += "\(done)/\(total) frames"
            if fps > 0 { line += String(format: "  %.1f fps  ETA %@", fps, Self.clock(Double(total - done) / fps)) }
        } else {
            line += "\(done) frames" + String(format: "  %.1f fps", fps)
        }
        FileHandle.standardError.write(Data((line + "   ").utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.rounded()))
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
