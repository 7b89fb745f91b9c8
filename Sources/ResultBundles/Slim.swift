import Foundation
import Tensors

/// Shrinks a bundle for sharing or committing: removes checkpoints (`.safetensors`) and
/// activations (`.npy`), keeps everything else (spec, provenance, metrics, estimates, results,
/// report), and records what was removed with the checksums it had, so `verify` still checks
/// every file that remains.
public enum BundleSlimmer {
    public static let droppedExtensions: Set<String> = ["safetensors", "npy"]

    @discardableResult
    public static func slim(_ bundle: BundleReader) throws -> (dropped: Int, bytes: Int) {
        var manifest = bundle.manifest
        var dropped = manifest.dropped ?? []
        var kept: [FileRecord] = []
        for record in manifest.files {
            if droppedExtensions.contains((record.path as NSString).pathExtension) {
                dropped.append(record)
                try? FileManager.default.removeItem(at: bundle.layout.root.appendingPathComponent(record.path))
            } else {
                kept.append(record)
            }
        }
        let removed = dropped.count - (manifest.dropped?.count ?? 0)
        manifest.files = kept
        manifest.dropped = dropped.sorted { $0.path < $1.path }
        try AtomicWrite.write(try StableJSON.encode(manifest), to: bundle.layout.bundleJSON)
        return (removed, dropped.suffix(removed).reduce(0) { $0 + $1.size })
    }
}
