import Foundation
import Restore

/// Resolves the `model` setting (`--model`, `model:` in a config) to weights on disk.
/// A shipped profile name (`realtime`, `quality`) is looked up among the shipped files; anything
/// else is a path. `none` restores nothing (the face front end pastes the crops back unchanged).
enum ModelLocator {
    static let profiles = ["realtime", "quality"]

    enum Choice: Equatable {
        case none
        case file(String)
    }

    static func resolve(_ setting: String) throws -> Choice {
        if setting == "none" { return .none }
        if profiles.contains(setting) {
            let relative = "models/\(setting).safetensors"
            if let path = ShippedFiles.find(relative) { return .file(path) }
            throw CLIError("the shipped '\(setting)' weights were not found (looked for \(relative) next to the binary, "
                           + "in PREFIX/share/facerestored and in the current directory); reinstall with scripts/install.sh, "
                           + "pass --model PATH (model: PATH in a config), or --model none to run without restoration")
        }
        guard FileManager.default.isReadableFile(atPath: setting) else {
            throw CLIError("model file '\(setting)' does not exist or is not readable; use realtime, quality, none or a path "
                           + "to a .safetensors file written by training/export.py")
        }
        return .file(setting)
    }

    /// The file a setting names, nil for `none` or shipped weights that are missing.
    static func path(of setting: String) -> String? {
        if case .file(let path)? = try? resolve(setting) { return path }
        return nil
    }

    /// The `no-audio` variant that goes with a setting's weights, for sources without audio:
    /// `models/<profile>-no-audio.safetensors` for a shipped profile, `X-no-audio.safetensors`
    /// beside a file `X.safetensors`. nil when there is none, or it is unusable (logged by the
    /// caller through `warning`).
    static func loadWithoutAudio(_ setting: String, warning: (String) -> Void) -> RestorationModel? {
        guard let main = path(of: setting), main.hasSuffix(".safetensors") else { return nil }
        let companion = String(main.dropLast(".safetensors".count)) + "-no-audio.safetensors"
        guard FileManager.default.isReadableFile(atPath: companion) else { return nil }
        do {
            let model = try RestorationModel(path: companion)
            guard !model.architecture.useAudio else {
                warning("\(companion) is not a no-audio variant (its metadata says it uses audio); ignored")
                return nil
            }
            return model
        } catch {
            warning("the no-audio variant \(companion) cannot be used (\(error)); a source without audio gets a silent audio context")
            return nil
        }
    }

    /// Loads the weights, turning a bad file into a message for the person at the terminal.
    static func load(_ setting: String) throws -> RestorationModel? {
        switch try resolve(setting) {
        case .none:
            return nil
        case .file(let path):
            do {
                return try RestorationModel(path: path)
            } catch {
                throw CLIError("cannot use the model '\(path)': \(error)")
            }
        }
    }
}
