import ArgumentParser
import Foundation
import GstBridge

/// `facerestored check-config FILE`: validates a stream config, printing every problem by line.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a stream config file and print line-precise errors.")

    @Argument(help: "The YAML config file.")
    var file: String

    func run() throws {
        let config: StreamConfig
        do {
            config = try ConfigLoader.load(path: file)
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(1)
        }
        if let warning = ConfigLoader.permissionWarning(path: file) {
            FileHandle.standardError.write(Data("\(file): warning: \(warning)\n".utf8))
        }
        // The descriptions are parsed by GStreamer itself, so typos in element names are caught
        // now rather than when the camera is connected.
        var problems: [String] = []
        if case .launch(let d) = config.source.kind {
            do { _ = try Pipeline(description: d + " ! fakesink", label: "source check", sourceLabel: config.source.description) }
            catch { problems.append("source: \(error)") }
        }
        for case .sink(let video, let audio) in config.outputs {
            do { _ = try Pipeline(description: "videotestsrc num-buffers=1 ! \(video)", label: "sink check") }
            catch { problems.append("sink '\(video)': \(error)") }
            if let audio {
                do { _ = try Pipeline(description: "audiotestsrc num-buffers=1 ! \(audio)", label: "sink check") }
                catch { problems.append("audio sink '\(audio)': \(error)") }
            }
        }
        // The weights are loaded (and validated) now too: a bad file must not wait for the camera.
        var modelLine = ""
        do { modelLine = ProcessorFactory.describe(try ModelLocator.load(config.restore.model), precision: config.restore.precision.resolved) }
        catch { problems.append("model: \(error)") }
        if !problems.isEmpty {
            FileHandle.standardError.write(Data((problems.map { "\(file): error: \($0)" }.joined(separator: "\n") + "\n").utf8))
            throw ExitCode(1)
        }
        print("\(file): OK — source \(config.source) (\(config.isLive ? "live" : "file")), "
              + "\(config.outputs.count) output(s): \(config.outputs.map(\.label).joined(separator: ", ")); \(modelLine)")
    }
}
