package dev.fmnist.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.ModelPublished;
import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.runtime.registry.ModelRegistryReader;
import dev.fmnist.runtime.registry.ModelSource;
import dev.fmnist.runtime.registry.StoredModel;
import dev.fmnist.runtime.scoring.LoadedModel;
import dev.fmnist.runtime.scoring.ScorerOptions;
import dev.fmnist.runtime.scoring.TestModels;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The model lifecycle on real ONNX models (nearest-centroid classifiers of real Fashion-MNIST images) from a
 * registry in memory: newest version with hot swap, refusal of a broken version with the previous one serving,
 * the exact-version cache with reference-counted eviction.
 */
class ModelLifecycleTest {
    /** A registry in memory: published versions, with an optional outage. */
    static final class MemoryRegistry implements ModelSource {
        final Map<String, StoredModel> versions = new ConcurrentHashMap<>();
        final AtomicInteger reads = new AtomicInteger();
        volatile boolean down;

        void publish(String name, int version, byte[] onnx) {
            versions.put(name + "/" + version, new StoredModel(name, version, ModelPublished.FORMAT_ONNX,
                    ModelRegistryReader.sha256(onnx), onnx, "{}", Instant.now()));
        }

        @Override
        public Optional<Integer> latestVersion(String name) throws SQLException {
            if (down) {
                throw new SQLException("connection refused");
            }
            return versions.values().stream().filter(m -> m.name().equals(name)).map(StoredModel::version)
                    .max(Integer::compare);
        }

        @Override
        public Optional<StoredModel> version(String name, int version) throws SQLException {
            if (down) {
                throw new SQLException("connection refused");
            }
            reads.incrementAndGet();
            return Optional.ofNullable(versions.get(name + "/" + version));
        }
    }

    static final LabelledImages IMAGES = TestModels.trainingSample(2000);
    final MemoryRegistry registry = new MemoryRegistry();
    final List<String> loads = new CopyOnWriteArrayList<>();
    final ModelOpener opener = new ModelOpener(ScorerOptions.cpu().withThreads(1), 8);
    final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    LatestVersionLoader loader(LatestVersions holder, List<Boolean> readiness) {
        return loader(holder, readiness, Duration.ofMillis(50));
    }

    LatestVersionLoader loader(LatestVersions holder, List<Boolean> readiness, Duration pollInterval) {
        LatestVersionLoader loader = new LatestVersionLoader(holder, registry, opener, Duration.ofMillis(50),
                pollInterval, (model, outcome) -> loads.add(model + ":" + outcome), List.of(r -> {
                    readiness.add(r);
                    return true;
                }));
        toClose.add(() -> {
            loader.stop();
            holder.closeAll();
        });
        return loader;
    }

    @Test
    void newestVersionLoadsAndANewerOneIsSwappedInWhileTheOldClosesAfterItsLastCall() throws Exception {
        registry.publish("lenet", 1, TestModels.templateOnnx("lenet", IMAGES, 100));
        LatestVersions holder = new LatestVersions(List.of("lenet"), "test.models");
        List<Boolean> readiness = new CopyOnWriteArrayList<>();
        LatestVersionLoader loader = loader(holder, readiness);
        loader.start();
        await().atMost(Duration.ofSeconds(30)).until(loader::ready);
        assertThat(readiness).contains(true);
        LoadedModel v1 = holder.acquire("lenet").orElseThrow();
        assertThat(v1.version()).isEqualTo(1);

        registry.publish("lenet", 2, TestModels.templateOnnx("lenet", IMAGES, 300));
        loader.onPublished(new ModelPublished("lenet", 2, ModelPublished.FORMAT_ONNX, "0".repeat(64), Map.of(), Instant.now()))
                .get(30, TimeUnit.SECONDS);
        assertThat(holder.version("lenet")).contains(2);
        // the call in flight still scores on version 1, which closes only when released
        float[] p = v1.scorer().score(TestModels.input(IMAGES, 0, 4), 4);
        assertThat(p).hasSize(40);
        assertThat(v1.closed()).isFalse();
        v1.release();
        assertThat(v1.closed()).isTrue();
        assertThat(loads).containsExactly("lenet:loaded", "lenet:loaded");
    }

    @Test
    void aBrokenNewestVersionIsRefusedOnceAndTheNewestOlderOneServesAfterARestart() throws Exception {
        registry.publish("lenet", 1, TestModels.templateOnnx("lenet", IMAGES, 100));
        registry.publish("lenet", 2, TestModels.wrongInputOnnx());
        LatestVersions holder = new LatestVersions(List.of("lenet"), "test.models");
        LatestVersionLoader loader = loader(holder, new CopyOnWriteArrayList<>());
        loader.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> holder.version("lenet").isPresent() && loader.ready());
        assertThat(holder.version("lenet")).contains(1);
        assertThat(loader.describe().get("lenet")).contains("version 1").contains("lenet/2 cannot be served");
        int reads = registry.reads.get();
        Thread.sleep(300); // several checks: the broken version is not read again
        assertThat(registry.reads.get()).isEqualTo(reads);
        assertThat(loads).containsExactly("lenet:failed", "lenet:loaded");
    }

    @Test
    void aRegistryOutageKeepsTheLoadedModelServingAndIsReported() throws Exception {
        registry.publish("lenet", 1, TestModels.templateOnnx("lenet", IMAGES, 100));
        LatestVersions holder = new LatestVersions(List.of("lenet"), "test.models");
        LatestVersionLoader loader = loader(holder, new CopyOnWriteArrayList<>());
        loader.start();
        await().atMost(Duration.ofSeconds(30)).until(loader::ready);
        registry.down = true;
        await().atMost(Duration.ofSeconds(5)).until(() -> loader.describe().containsKey("registry"));
        assertThat(loader.describe().get("registry")).contains("connection refused");
        assertThat(holder.acquire("lenet")).hasValueSatisfying(LoadedModel::release);
    }

    @Test
    void aVersionAnnouncedDuringARegistryOutageIsLoadedSoonAfterTheRegistryIsBack() throws Exception {
        registry.publish("lenet", 1, TestModels.templateOnnx("lenet", IMAGES, 100));
        LatestVersions holder = new LatestVersions(List.of("lenet"), "test.models");
        List<Boolean> readiness = new CopyOnWriteArrayList<>();
        // a poll interval far beyond the test: only the retry after a failed read can bring version 2 in
        LatestVersionLoader loader = loader(holder, readiness, Duration.ofHours(1));
        loader.start();
        await().atMost(Duration.ofSeconds(30)).until(loader::ready);
        assertThat(loader.registryOutage()).isEmpty();
        int told = readiness.size();

        registry.down = true;
        registry.publish("lenet", 2, TestModels.templateOnnx("lenet", IMAGES, 300));
        loader.onPublished(new ModelPublished("lenet", 2, ModelPublished.FORMAT_ONNX, "0".repeat(64), Map.of(), Instant.now()))
                .get(30, TimeUnit.SECONDS);
        assertThat(loader.registryOutage()).hasValueSatisfying(o -> assertThat(o.cause()).contains("connection refused"));
        Instant since = loader.registryOutage().orElseThrow().since();
        Thread.sleep(300); // several failed retries: still ready, still serving version 1, the outage's start kept
        assertThat(loader.ready()).isTrue();
        // a snapshot: the loader's retries keep appending, and a live subList of a CopyOnWriteArrayList throws then
        List<Boolean> toldSoFar = List.copyOf(readiness);
        assertThat(toldSoFar.subList(told, toldSoFar.size())).as("readiness told during the outage").isNotEmpty()
                .doesNotContain(false);
        assertThat(holder.acquire("lenet")).hasValueSatisfying(m -> {
            assertThat(m.version()).isEqualTo(1);
            m.release();
        });
        assertThat(loader.registryOutage()).hasValueSatisfying(o -> assertThat(o.since()).isEqualTo(since));
        assertThat(loader.describe().get("registry")).startsWith("unreachable since " + since)
                .contains("serving the loaded versions");

        registry.down = false;
        await().atMost(Duration.ofSeconds(10)).until(() -> holder.version("lenet").orElse(0) == 2);
        assertThat(loader.registryOutage()).isEmpty();
        assertThat(loader.describe()).doesNotContainKey("registry");
        assertThat(loader.describe().get("lenet")).isEqualTo("version 2 on CPU");
        assertThat(loader.ready()).isTrue();
    }

    @Test
    void theExactVersionCacheEvictsTheLeastRecentlyUsedAndClosesItAfterItsLastUser() {
        registry.publish("lenet", 1, TestModels.templateOnnx("lenet", IMAGES, 100));
        registry.publish("lenet", 2, TestModels.templateOnnx("lenet", IMAGES, 200));
        registry.publish("lenet", 3, TestModels.templateOnnx("lenet", IMAGES, 300));
        VersionCache cache = new VersionCache(registry, opener, 2, "test.cache-size", (m, o) -> loads.add(m + ":" + o));
        toClose.add(cache::closeAll);

        LoadedModel v1 = cache.acquire(new ModelRef("lenet", 1));
        cache.acquire(new ModelRef("lenet", 2)).release();
        cache.acquire(new ModelRef("lenet", 1)).release(); // hit: version 2 is now the least recently used
        assertThat(registry.reads.get()).isEqualTo(2);
        cache.acquire(new ModelRef("lenet", 3)).release();
        assertThat(cache.cached()).containsExactly(new ModelRef("lenet", 1), new ModelRef("lenet", 3));

        assertThat(cache.preload(new ModelRef("lenet", 2))).isTrue(); // evicts version 1, which is still in use
        assertThat(v1.closed()).isFalse();
        v1.scorer().score(TestModels.input(IMAGES, 0, 1), 1);
        v1.release();
        assertThat(v1.closed()).isTrue();
    }

    @Test
    void theCacheTellsPermanentFromPassingFailuresAndNeverReadsABrokenVersionAgain() {
        registry.publish("lenet", 1, TestModels.wrongInputOnnx());
        VersionCache cache = new VersionCache(registry, opener, 2, "test.cache-size", (m, o) -> loads.add(m + ":" + o));
        toClose.add(cache::closeAll);

        assertThatThrownBy(() -> cache.acquire(new ModelRef("lenet", 1))).isInstanceOfSatisfying(ModelLoadException.class,
                e -> assertThat(e.permanent()).isTrue());
        assertThatThrownBy(() -> cache.acquire(new ModelRef("lenet", 1))).isInstanceOf(ModelLoadException.class);
        assertThat(registry.reads.get()).isEqualTo(1);
        assertThat(cache.brokenReason(new ModelRef("lenet", 1))).hasValueSatisfying(r -> assertThat(r).contains("lenet/1"));

        assertThatThrownBy(() -> cache.acquire(new ModelRef("lenet", 9))).isInstanceOfSatisfying(ModelLoadException.class,
                e -> assertThat(e.permanent()).isTrue());
        registry.down = true;
        assertThatThrownBy(() -> cache.acquire(new ModelRef("lenet", 2))).isInstanceOfSatisfying(ModelLoadException.class,
                e -> assertThat(e.permanent()).isFalse());
        assertThat(loads).containsExactly("lenet:failed", "lenet:missing", "lenet:registry-error");
        assertThatThrownBy(() -> new VersionCache(registry, opener, 0, "test.cache-size", LoadEvents.NONE))
                .hasMessageContaining("test.cache-size must be at least 1");
    }
}
