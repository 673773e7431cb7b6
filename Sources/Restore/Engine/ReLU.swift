/// max(0, x) in place (NaN stays NaN, as in PyTorch).
enum ReLU {
    static func apply(_ values: UnsafeMutablePointer<Float>, count: Int) {
        // A select, not `where values[i] < 0 { values[i] = 0 }`: baseline x86-64 has no masked
        // store, so the conditional store stayed a per-element branch (a fifth of Conv2D.run's
        // own time in `perf`); the select vectorises.
        for i in 0..<count {
            let v = values[i]
            values[i] = v < 0 ? 0 : v
        }
    }
}
