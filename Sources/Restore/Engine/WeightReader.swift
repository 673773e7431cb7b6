/// Hands out a model file's tensors by name and expected shape, turning every problem into a
/// ModelError that names the file and the tensor, and remembers what was taken so that tensors
/// the architecture does not use are reported rather than silently ignored.
struct WeightReader {
    let file: SafeTensorsFile
    let path: String
    private var taken: Set<String> = []

    init(file: SafeTensorsFile, path: String) {
        self.file = file
        self.path = path
    }

    /// The tensor `name`, which must have exactly `shape`, as finite float32 values.
    mutating func take(_ name: String, _ shape: [Int]) throws(ModelError) -> [Float] {
        guard let t = file.tensors[name] else { throw .missingTensor(path: path, tensor: name, expectedShape: shape) }
        guard t.shape == shape else { throw .wrongShape(path: path, tensor: name, expected: shape, actual: t.shape) }
        guard ["F32", "F16", "BF16"].contains(t.dtype) else { throw .wrongDType(path: path, tensor: name, dtype: t.dtype) }
        taken.insert(name)
        do {
            return try file.floats(name)
        } catch {
            if case .nonFinite(_, let index) = error {
                throw .badValue(path: path, tensor: name, index: index, reason: "NaN or infinite")
            }
            throw .unreadable(path: path, reason: error.description)
        }
    }

    /// Like `take`, for values that divide or go under a square root: each must be > `floor`.
    mutating func takePositive(_ name: String, _ shape: [Int], above floor: Float) throws(ModelError) -> [Float] {
        let values = try take(name, shape)
        if let i = values.firstIndex(where: { !($0 > floor) }) {
            throw .badValue(path: path, tensor: name, index: i, reason: "\(values[i]), which must be above \(floor)")
        }
        return values
    }

    /// A conv2d layer `name`.weight/.bias.
    mutating func conv2d(_ name: String, in cin: Int, out cout: Int, kernel: Int, stride: Int = 1) throws(ModelError) -> Conv2D {
        Conv2D(weights: try take("\(name).weight", [cout, cin, kernel, kernel]), bias: try take("\(name).bias", [cout]),
               inChannels: cin, outChannels: cout, kernel: kernel, stride: stride)
    }

    /// A linear layer `name`.weight/.bias.
    mutating func linear(_ name: String, in inputs: Int, out outputs: Int) throws(ModelError) -> Linear {
        Linear(weights: try take("\(name).weight", [outputs, inputs]), bias: try take("\(name).bias", [outputs]),
               inputs: inputs, outputs: outputs)
    }

    /// Fails on the tensors nothing took.
    func checkAllTaken() throws(ModelError) {
        let extra = file.tensors.keys.filter { !taken.contains($0) }.sorted()
        if !extra.isEmpty { throw .unexpectedTensors(path: path, tensors: extra) }
    }
}
