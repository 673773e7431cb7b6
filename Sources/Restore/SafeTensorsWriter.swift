import Foundation

/// Writes the safetensors format (8-byte little-endian header length, JSON header, raw
/// little-endian data), the exchange format between the Swift engine and the Python training.
/// Hand-written: the format is a page long and no Swift package for it is available here.
public struct SafeTensorsWriter {
    public enum DType: String, Sendable { case f32 = "F32", i32 = "I32", i64 = "I64", u8 = "U8" }

    private struct Entry {
        let name: String
        let dtype: DType
        let shape: [Int]
        let bytes: Data
    }

    private var entries: [Entry] = []
    public var metadata: [String: String] = [:]

    public init() {}

    public mutating func add(_ name: String, floats: [Float], shape: [Int]) {
        precondition(shape.reduce(1, *) == floats.count, "shape does not match \(name)'s element count")
        entries.append(Entry(name: name, dtype: .f32, shape: shape, bytes: floats.withUnsafeBytes { Data($0) }))
    }

    public mutating func add(_ name: String, int32s: [Int32], shape: [Int]) {
        precondition(shape.reduce(1, *) == int32s.count, "shape does not match \(name)'s element count")
        entries.append(Entry(name: name, dtype: .i32, shape: shape, bytes: int32s.withUnsafeBytes { Data($0) }))
    }

    public mutating func add(_ name: String, int64s: [Int64], shape: [Int]) {
        precondition(shape.reduce(1, *) == int64s.count, "shape does not match \(name)'s element count")
        entries.append(Entry(name: name, dtype: .i64, shape: shape, bytes: int64s.withUnsafeBytes { Data($0) }))
    }

    public mutating func add(_ name: String, bytes: [UInt8], shape: [Int]) {
        precondition(shape.reduce(1, *) == bytes.count, "shape does not match \(name)'s element count")
        entries.append(Entry(name: name, dtype: .u8, shape: shape, bytes: Data(bytes)))
    }

    /// The whole file. x86-64 and arm64 are little-endian, as the format requires.
    public func data() throws -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        for e in entries {
            header[e.name] = ["dtype": e.dtype.rawValue, "shape": e.shape, "data_offsets": [offset, offset + e.bytes.count]]
            offset += e.bytes.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so the data starts 8-byte aligned.
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out = Data()
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(json)
        for e in entries { out.append(e.bytes) }
        return out
    }

    /// Writes atomically: a crash never leaves a half-written file under `path`.
    public func write(to path: String) throws {
        try data().write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
