import Foundation

/// What is wrong with a weights file, and what to do about it.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible, Sendable {
    case unreadable(path: String, reason: String)
    case truncated(what: String, need: Int, have: Int)
    case badHeader(String)
    case unsupportedDType(tensor: String, dtype: String)
    case badShape(tensor: String, reason: String)
    case badOffsets(tensor: String, reason: String)
    case nonFinite(tensor: String, index: Int)
    case missing(tensor: String)

    public var description: String {
        let hint = "Re-export the weights with training/export.py or use the shipped models/."
        switch self {
        case .unreadable(let p, let r): return "cannot read the weights file \(p): \(r). Check the path and permissions."
        case .truncated(let w, let need, let have): return "the weights file is truncated: \(w) needs \(need) bytes, the file has \(have). \(hint)"
        case .badHeader(let r): return "the weights file's header is invalid: \(r). \(hint)"
        case .unsupportedDType(let t, let d): return "tensor '\(t)' has dtype \(d); only F32, F16, BF16, I32, I64 and U8 are supported. \(hint)"
        case .badShape(let t, let r): return "tensor '\(t)' has an invalid shape: \(r). \(hint)"
        case .badOffsets(let t, let r): return "tensor '\(t)' has invalid data offsets: \(r). \(hint)"
        case .nonFinite(let t, let i): return "tensor '\(t)' contains NaN or infinity (element \(i)). \(hint)"
        case .missing(let t): return "the weights file has no tensor '\(t)'. \(hint)"
        }
    }
}

/// Reads a safetensors file and validates everything before any number is used: header
/// length, JSON, dtypes, shapes, offsets (inside the data, in order, not overlapping, sized to
/// the shape) and finiteness. Hand-written: the format is a page long and no Swift package for
/// it is available here; it must never crash on a hostile file.
public struct SafeTensorsFile: Sendable {
    public struct Tensor: Sendable {
        public let name: String
        public let dtype: String
        public let shape: [Int]
        let range: Range<Int>
    }

    public let tensors: [String: Tensor]
    public let metadata: [String: String]
    private let data: Data
    /// Headers larger than this are refused (real ones are kilobytes).
    public static let maxHeaderBytes = 100_000_000

    public init(path: String) throws(SafeTensorsError) {
        let d: Data
        do { d = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) }
        catch { throw .unreadable(path: path, reason: error.localizedDescription) }
        try self.init(data: d)
    }

    public init(data: Data) throws(SafeTensorsError) {
        guard data.count >= 8 else { throw .truncated(what: "the 8-byte header length", need: 8, have: data.count) }
        let length = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard length >= 2, length <= UInt64(Self.maxHeaderBytes) else {
            throw .badHeader("header length \(length) is out of range")
        }
        let headerEnd = 8 + Int(length)
        guard data.count >= headerEnd else { throw .truncated(what: "the header", need: headerEnd, have: data.count) }
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd)) }
        catch { throw .badHeader("not JSON") }
        guard let header = json as? [String: Any] else { throw .badHeader("the JSON is not an object") }
        let payload = data.count - headerEnd
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw .badHeader("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw .badHeader("metadata '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let entry = value as? [String: Any] else { throw .badHeader("entry '\(name)' is not an object") }
            guard let dtype = entry["dtype"] as? String else { throw .badHeader("tensor '\(name)' has no dtype") }
            guard let size = Self.elementSize(dtype) else { throw .unsupportedDType(tensor: name, dtype: dtype) }
            guard let rawShape = entry["shape"] as? [Any] else { throw .badShape(tensor: name, reason: "missing") }
            var shape: [Int] = []
            var count = 1
            for dim in rawShape {
                guard let n = dim as? Int, n >= 0 else { throw .badShape(tensor: name, reason: "dimension \(dim) is not a non-negative integer") }
                let (product, overflow) = count.multipliedReportingOverflow(by: n)
                guard !overflow, product <= payload else { throw .badShape(tensor: name, reason: "\(rawShape) is larger than the file") }
                shape.append(n)
                count = product
            }
            guard let offsets = entry["data_offsets"] as? [Any], offsets.count == 2,
                  let start = offsets[0] as? Int, let end = offsets[1] as? Int else {
                throw .badOffsets(tensor: name, reason: "data_offsets must be two integers")
            }
            guard start >= 0, end >= start, end <= payload else {
                throw .badOffsets(tensor: name, reason: "[\(start), \(end)) is outside the \(payload) data bytes")
            }
            guard end - start == count * size else {
                throw .badOffsets(tensor: name, reason: "\(end - start) bytes for \(count) \(dtype) elements")
            }
            tensors[name] = Tensor(name: name, dtype: dtype, shape: shape, range: (headerEnd + start)..<(headerEnd + end))
        }
        // Empty tensors occupy no bytes and may share an offset with anything.
        let sorted = tensors.values.filter { !$0.range.isEmpty }.sorted { $0.range.lowerBound < $1.range.lowerBound }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.range.upperBound > b.range.lowerBound {
            throw .badOffsets(tensor: b.name, reason: "overlaps '\(a.name)'")
        }
        self.tensors = tensors
        self.metadata = metadata
        self.data = data
    }

    static func elementSize(_ dtype: String) -> Int? {
        switch dtype {
        case "F32", "I32": return 4
        case "F16", "BF16": return 2
        case "I64": return 8
        case "U8": return 1
        default: return nil
        }
    }

    /// A float tensor as Float32 (F16/BF16 converted), refusing NaN and infinity.
    public func floats(_ name: String) throws(SafeTensorsError) -> [Float] {
        guard let t = tensors[name] else { throw .missing(tensor: name) }
        let bytes = data.subdata(in: t.range)
        let values: [Float]
        switch t.dtype {
        case "F32": values = bytes.withUnsafeBytes { raw in (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) } }
        case "F16": values = bytes.withUnsafeBytes { raw in (0..<(bytes.count / 2)).map { Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)))) } }
        case "BF16": values = bytes.withUnsafeBytes { raw in (0..<(bytes.count / 2)).map { Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) << 16) } }
        default: throw .unsupportedDType(tensor: name, dtype: t.dtype)
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(tensor: name, index: bad) }
        return values
    }

    /// An I32 tensor (code indices in the engine's parity fixtures).
    public func int32s(_ name: String) throws(SafeTensorsError) -> [Int32] {
        guard let t = tensors[name] else { throw .missing(tensor: name) }
        guard t.dtype == "I32" else { throw .unsupportedDType(tensor: name, dtype: t.dtype) }
        let bytes = data.subdata(in: t.range)
        return bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / 4)).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) }
        }
    }

    /// A U8 tensor (face crops in the engine's parity fixtures).
    public func uint8s(_ name: String) throws(SafeTensorsError) -> [UInt8] {
        guard let t = tensors[name] else { throw .missing(tensor: name) }
        guard t.dtype == "U8" else { throw .unsupportedDType(tensor: name, dtype: t.dtype) }
        return [UInt8](data.subdata(in: t.range))
    }

    /// An I64 tensor (used for indices and counts in exported metadata tensors).
    public func int64s(_ name: String) throws(SafeTensorsError) -> [Int64] {
        guard let t = tensors[name] else { throw .missing(tensor: name) }
        guard t.dtype == "I64" else { throw .unsupportedDType(tensor: name, dtype: t.dtype) }
        let bytes = data.subdata(in: t.range)
        return bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / 8)).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
        }
    }
}
