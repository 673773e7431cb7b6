import CSystemd
import Foundation

/// Speaks systemd's notify protocol through libsystemd's sd_notify: READY=1 once the pipeline
/// plays, WATCHDOG=1 from the processing loop, STOPPING=1 on shutdown, STATUS= for humans.
/// Without NOTIFY_SOCKET (not run by systemd) every call is a cheap no-op.
final class SystemdNotifier: @unchecked Sendable {
    private let lock = NSLock()
    private var ready = false
    private var lastPing: Date = .distantPast
    /// Half the watchdog period systemd asked for (WATCHDOG_USEC), or nil when none.
    let pingInterval: TimeInterval?

    init() {
        var usec: UInt64 = 0
        pingInterval = sd_watchdog_enabled(0, &usec) > 0 ? Double(usec) / 2e6 : nil
    }

    var isActive: Bool { ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] != nil }

    func ready(status: String) {
        lock.withLock {
            guard !ready else { _ = sd_notify(0, "STATUS=\(Self.clean(status))"); return }
            ready = true
            _ = sd_notify(0, "READY=1\nSTATUS=\(Self.clean(status))")
        }
    }

    func status(_ text: String) { _ = sd_notify(0, "STATUS=\(Self.clean(text))") }

    /// Pings the watchdog if half its period has passed since the last ping.
    func watchdog() {
        guard let interval = pingInterval else { return }
        lock.withLock {
            let now = Date()
            guard now.timeIntervalSince(lastPing) >= interval else { return }
            lastPing = now
            _ = sd_notify(0, "WATCHDOG=1")
        }
    }

    func stopping() { _ = sd_notify(0, "STOPPING=1\nSTATUS=stopping") }

    /// STATUS is one line; credentials never leave the process in it either.
    private static func clean(_ s: String) -> String {
        s.replacingOccurrences(of: "\n", with: " ")
    }
}
