package dev.fmnist.trainer.service;

import dev.fmnist.runtime.registry.ModelFolder;
import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.trainer.config.TrainerConfig;
import dev.fmnist.trainer.data.TrainingData;
import dev.fmnist.trainer.report.ReportWriter;
import dev.fmnist.trainer.domain.TrainedModel;
import dev.fmnist.trainer.evaluation.Evaluation;
import dev.fmnist.trainer.evaluation.HeldOutTestSet;
import dev.fmnist.trainer.repository.ModelRegistryRepository;
import dev.fmnist.trainer.repository.ModelRegistryRepository.VersionInfo;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * The human-readable copy of a registered version, Triton-style: {@code <out>/<name>/<version>/}
 * with the artifact as stored (read back and verified), {@code metadata.json}, the per-class table
 * and the report plots: class distribution, samples, confusion matrices, accuracy per epoch, the
 * importance map (XGBoost), and UMAP and t-SNE embeddings of the test set.
 */
@ApplicationScoped
public class ReportFiles {
    private final ModelRegistryRepository registry;
    private final TrainerConfig config;

    public ReportFiles(ModelRegistryRepository registry, TrainerConfig config) {
        this.registry = registry;
        this.config = config;
    }

    public Path write(Path out, VersionInfo version, TrainedModel trained, List<Evaluation> evaluations, TrainingData data,
                      HeldOutTestSet testSet) {
        try {
            Path folder = ModelFolder.versionFolder(out, version.name(), version.version());
            StoredModel stored = registry.artifact(version.name(), version.version())
                    .orElseThrow(() -> new IllegalStateException(version.name() + "/" + version.version() + " vanished"));
            Files.write(folder.resolve(ModelFolder.artifactFileName(version.format())), stored.artifact());
            // ModelFolder's fields, which GpuCheck and ModelFolder.latest read, then the trainer's own
            Map<String, Object> meta = ModelFolder.metadata(version.name(), version.version(), version.format(),
                    version.sha256(), version.createdAt(), version.metrics());
            meta.put("trainingRunId", version.trainingRunId());
            meta.put("params", version.params());
            meta.put("evaluations", evaluations);
            meta.put("epochs", trained.epochs());
            ModelFolder.writeMetadata(folder, meta);
            StringBuilder md = new StringBuilder("# " + version.name() + " version " + version.version() + "\n\n");
            for (Evaluation e : evaluations) {
                md.append("## ").append(e.split()).append(" (").append(e.images()).append(" images)\n\n```\n")
                        .append(e.perClassTable()).append("```\n\n");
            }
            Files.writeString(folder.resolve("evaluation.md"), md.toString());
            ReportWriter.writeAll(out, version.name(), Integer.toString(version.version()), testSet.reportData(
                    data.train(), evaluations, trained.epochs(), trained.importance(),
                    "gain importance per pixel", 10, config.reportEmbeddingImages(), config.effectiveThreads(), config.seed()));
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model folder under " + out, e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read back " + version.name() + "/" + version.version(), e);
        }
    }
}
