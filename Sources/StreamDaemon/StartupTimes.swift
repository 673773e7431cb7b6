import Foundation
import Media

/// How long each phase of a session's start took (connecting, the streams being announced, the
/// first video frame, the first audio, the outputs), so a slow recovery from an outage says where
/// the time went.
struct StartupTimes: CustomStringConvertible {
    private let began: UInt64
    private var last: UInt64
    private(set) var phases: [(name: String, seconds: Double)] = []

    init(began: UInt64) {
        self.began = began
        last = began
    }

    /// Ends the phase called `name` now.
    mutating func mark(_ name: String, at now: UInt64 = MonotonicClock.now()) {
        phases.append((name, Double(now - last) / 1e9))
        last = now
    }

    /// Seconds from the start to the last mark.
    var total: Double { Double(last - began) / 1e9 }

    var description: String {
        String(format: "%.2f s", total) + " ("
            + phases.map { "\($0.name) " + String(format: "%.2f s", $0.seconds) }.joined(separator: ", ") + ")"
    }
}
