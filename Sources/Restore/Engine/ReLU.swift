/// max(0, x) in place.
enum ReLU {
    static func apply(_ values: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count where values[i] < 0 { values[i] = 0 }
    }
}
