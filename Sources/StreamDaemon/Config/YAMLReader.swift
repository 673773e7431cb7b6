import Yams

/// Walks a composed YAML tree and collects every problem with its position, so that
/// `check-config` can report all mistakes at once rather than the first one.
final class YAMLReader {
    private(set) var issues: [ConfigIssue] = []

    func fail(_ node: Node?, _ message: String) {
        let mark = node?.mark
        issues.append(ConfigIssue(line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }

    /// The mapping's entries by key; reports unknown keys against `allowed`.
    func mapping(_ node: Node, section: String, allowed: [String]) -> [String: Node]? {
        guard let map = node.mapping else {
            fail(node, "'\(section)' must be a mapping (key: value lines)")
            return nil
        }
        var result: [String: Node] = [:]
        for (key, value) in map {
            guard let name = key.string else { fail(key, "keys must be plain strings"); continue }
            if !allowed.contains(name) {
                let hint = Self.closest(name, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                fail(key, "unknown key '\(name)' in \(section)\(hint); allowed: \(allowed.joined(separator: ", "))")
                continue
            }
            result[name] = value
        }
        return result
    }

    func string(_ node: Node?, _ key: String) -> String? {
        guard let node else { return nil }
        guard let s = node.scalar?.string, node.scalar != nil else {
            fail(node, "'\(key)' must be a string")
            return nil
        }
        return s
    }

    func int(_ node: Node?, _ key: String, range: ClosedRange<Int>) -> Int? {
        number(node, key, range: range, kind: "a whole number")
    }

    func double(_ node: Node?, _ key: String, range: ClosedRange<Double>) -> Double? {
        number(node, key, range: range, kind: "a number")
    }

    private func number<T: LosslessStringConvertible & Comparable>(_ node: Node?, _ key: String,
                                                                  range: ClosedRange<T>, kind: String) -> T? {
        guard let node else { return nil }
        guard let scalar = node.scalar, let v = T(scalar.string) else {
            fail(node, "'\(key)' must be \(kind), got '\(node.scalar?.string ?? "a collection")'")
            return nil
        }
        guard range.contains(v) else {
            fail(node, "'\(key)' must be between \(range.lowerBound) and \(range.upperBound), got \(v)")
            return nil
        }
        return v
    }

    func bool(_ node: Node?, _ key: String) -> Bool? {
        guard let node else { return nil }
        switch node.scalar?.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            fail(node, "'\(key)' must be true or false, got '\(node.scalar?.string ?? "a collection")'")
            return nil
        }
    }

    func choice<T: RawRepresentable & CaseIterable>(_ node: Node?, _ key: String, _ type: T.Type) -> T?
        where T.RawValue == String {
        guard let text = string(node, key) else { return nil }
        guard let v = T(rawValue: text) else {
            let options = T.allCases.map(\.rawValue).joined(separator: ", ")
            fail(node, "'\(key)' must be one of \(options), got '\(text)'")
            return nil
        }
        return v
    }

    /// Suggests the allowed key nearest to a misspelt one (edit distance ≤ 2).
    static func closest(_ word: String, in candidates: [String]) -> String? {
        candidates.map { ($0, editDistance(word, $0)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
