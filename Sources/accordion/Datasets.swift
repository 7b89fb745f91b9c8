import ArgumentParser
import Datasets

/// `accordion datasets`: every data source, whether it can be used here, and where it is read from.
struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "List the data sources, whether each is available, and where its files are expected.",
        discussion: """
            File-backed sources are looked for in their default directory unless a path is given; \
            generated sources (synthetic manifolds, the clustered task) are always available.
            """)

    @Option(name: .customLong("fashion-mnist"), help: ArgumentHelp("Directory to look in for Fashion-MNIST (default: \(FashionMNIST.defaultDirectory)).", valueName: "directory"))
    var fashionMNIST: String?

    @Option(name: .customLong("cifar10"), help: ArgumentHelp("Directory to look in for CIFAR-10 (default: \(CIFAR10.defaultDirectory)).", valueName: "directory"))
    var cifar10: String?

    @Option(name: .customLong("cifar100"), help: ArgumentHelp("Directory to look in for CIFAR-100 (default: \(CIFAR100.defaultDirectory)).", valueName: "directory"))
    var cifar100: String?

    func run() throws {
        print(DataCatalog.render(DataCatalog.entries(fashionMNIST: fashionMNIST, cifar10: cifar10, cifar100: cifar100)))
    }
}
