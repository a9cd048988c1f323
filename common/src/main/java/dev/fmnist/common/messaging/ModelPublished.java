package dev.fmnist.common.messaging;

import dev.fmnist.common.messaging.InvalidMessageException.Reason;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/** A new model version committed to the registry, the value of {@code fmnist.models}. */
public record ModelPublished(String name, int version, String format, String sha256, Map<String, Object> metrics,
                             Instant createdAt) implements Validated {

    public static final String FORMAT_ONNX = "onnx";
    public static final String FORMAT_XGBOOST_UBJ = "xgboost-ubj";
    public static final Set<String> FORMATS = Set.of(FORMAT_ONNX, FORMAT_XGBOOST_UBJ);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Logger LOG = Logger.getLogger(ModelPublished.class);

    /**
     * The announcement a {@code fmnist.models} record carries, logged; empty, with a warning that says
     * why, when the record is not a valid announcement (the services' consumers skip it).
     */
    public static Optional<ModelPublished> fromRecord(byte[] value) {
        ModelPublished event;
        try {
            event = Json.read(value, ModelPublished.class);
        } catch (InvalidMessageException e) {
            LOG.warnf("Ignoring an invalid fmnist.models record (%s): %s", e.reason().code(), e.getMessage());
            return Optional.empty();
        }
        LOG.infof("fmnist.models announces %s (%s)", event.ref(), event.format());
        return Optional.of(event);
    }

    static final String FORMAT = "one of \"onnx\" or \"xgboost-ubj\"";
    static final String SHA = "64 lower-case hex digits";

    static ModelPublished read(JsonFields f, Instant received) {
        ModelRef ref = ModelRef.readFlat(f);
        String format = f.string("format", Reason.INVALID_FIELD, FORMAT, true);
        String sha256 = f.string("sha256", Reason.INVALID_FIELD, SHA, true);
        Map<String, Object> metrics = f.map("metrics", "an object", false);
        Instant createdAt = f.instant("createdAt", false);
        return new ModelPublished(ref.name(), ref.version(), format, sha256, metrics,
                createdAt != null ? createdAt : received);
    }

    @Override
    public void validate() {
        new ModelRef(name, version).validate("name", "version");
        if (!FORMATS.contains(format)) {
            throw InvalidMessageException.field(Reason.INVALID_FIELD, "format", FORMAT, JsonFields.show(format));
        }
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw InvalidMessageException.field(Reason.INVALID_FIELD, "sha256", SHA, JsonFields.show(sha256));
        }
        if (createdAt == null) {
            throw InvalidMessageException.missing(Reason.INVALID_FIELD, "createdAt", JsonFields.INSTANT);
        }
    }

    public ModelRef ref() {
        return new ModelRef(name, version);
    }
}
