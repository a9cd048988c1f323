package dev.fmnist.inference.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The {@code inference.*} settings (application.properties documents each one). */
@ConfigMapping(prefix = "inference")
public interface InferenceConfig {

    /** The models this instance serves: the newest published version of each. */
    @WithDefault("cnn,lenet,xgboost,forest")
    List<String> models();

    /** {@code auto} (CUDA when available, else CPU), {@code cuda} (fail without it) or {@code cpu}. */
    @WithDefault("auto")
    String executionProvider();

    /**
     * Where XGBoost models run when not where {@link #executionProvider()} says ({@code auto}, {@code cuda} or
     * {@code cpu}); absent: the same. The {@code gpu} overlay sets {@code cpu}: XGBoost's CUDA predictor was slower.
     */
    Optional<String> xgboostExecutionProvider();

    /** Native threads of one model call (ONNX Runtime intra-op, XGBoost nthread); 0 = the CPUs this process may use. */
    @WithDefault("0")
    int threads();

    /**
     * Whether ONNX Runtime's intra-op threads spin while waiting for work (its default) instead of sleeping; spinning
     * threads hold cores that the broker and the Kafka clients on the same machine need.
     */
    @WithDefault("true")
    boolean threadSpinning();

    /** {@code inference.split.*}: large batches cut into parts that run at once on idle cores. */
    Split split();

    /** {@code inference.split.*}. */
    interface Split {
        /**
         * The cores one batch may be spread over, one single-threaded native call per core, only while no other call
         * uses them; 1 = never split, 0 = the CPUs this process may use. Meant for {@code inference.threads=1} on a
         * machine whose cores are shared (the local stack); with more native threads per call, leave it at 1.
         */
        @WithDefault("1")
        int cores();

        /** The fewest images of one part: a batch is split only when it holds at least twice as many. */
        @WithDefault("64")
        int minImages();
    }

    /** The most images one native call takes (larger batches are split); also the warm-up batch. */
    @WithDefault("256")
    int maxBatch();

    /** While a configured model has no loaded version, or the registry cannot be read: how often to look again. */
    @WithDefault("5s")
    Duration retryInterval();

    /** Safety net for missed fmnist.models events: how often to compare loaded versions with the registry. */
    @WithDefault("60s")
    Duration pollInterval();

    /** Kafka batches whose predictions are sent but not yet acknowledged by the broker, at most. */
    @WithDefault("4")
    int maxBatchesInFlight();

    /** The most images one HTTP inference request may carry. */
    @WithDefault("1024")
    int httpMaxImages();

    /** The producer of predictions and dead letters. */
    Producer producer();

    /** {@code inference.predictions.*}: the predictions written to Kafka. */
    Predictions predictions();

    /** {@code inference.predictions.*}. */
    interface Predictions {
        /**
         * The encoding of a prediction on {@code fmnist.predictions} (docs/protobuf.md): {@code as-request}, that of
         * the request it answers (a Protobuf producer gets Protobuf predictions, a JSON one JSON), or always
         * {@code json} or {@code protobuf}.
         */
        @WithDefault("as-request")
        Format format();

        enum Format {
            AS_REQUEST,
            JSON,
            PROTOBUF
        }
    }

    /** {@code inference.producer.*}: the plain Kafka producer of predictions and dead letters. */
    interface Producer {
        /** Where predictions go. */
        @WithDefault("fmnist.predictions")
        String predictionsTopic();

        /** Where records that cannot be scored go, unchanged, with the error headers. */
        @WithDefault("fmnist.images.dlq")
        String deadLetterTopic();

        /** How long a record may wait for others to the same partition ({@code linger.ms}). */
        @WithDefault("5ms")
        Duration linger();

        /** Bytes per partition batch at most ({@code batch.size}). */
        @WithDefault("262144")
        int batchSize();

        /**
         * Whether a Kafka batch's predictions are sent as soon as the batch is scored ({@code true}), or wait out
         * {@link #linger()} for those of the next batches ({@code false}).
         */
        @WithDefault("true")
        boolean sendAtBatchEnd();
    }
}
