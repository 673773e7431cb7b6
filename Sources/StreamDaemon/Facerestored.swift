import ArgumentParser

@main
struct Facerestored: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facerestored",
        abstract: "Restores degraded faces in live video, guided by the audio track, and re-emits the stream.",
        subcommands: [RestoreCommand.self, RunCommand.self, CheckConfigCommand.self, FacesCommand.self, FeaturesCommand.self, LandmarksCommand.self,
                      BenchCommand.self]
    )
}
