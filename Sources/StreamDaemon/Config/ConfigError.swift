/// A problem in a config file, located to the line and column.
struct ConfigIssue: Equatable, Sendable, CustomStringConvertible {
    var line: Int
    var column: Int
    var message: String
    var description: String { "line \(line), column \(column): \(message)" }
}

/// All problems found in one config file.
struct ConfigError: Error, CustomStringConvertible, Sendable {
    var file: String
    var issues: [ConfigIssue]
    var description: String {
        let lines = issues.map { "\(file):\($0.line):\($0.column): error: \($0.message)" }
        return lines.joined(separator: "\n")
    }
}
