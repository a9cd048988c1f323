package dev.fmnist.common.messaging;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** A new model version committed to the registry, the value of {@code fmnist.models}. */
public record ModelPublished(String name, int version, String format, String sha256, Map<String, Object> metrics,
                             Instant createdAt) implements Validated {

    public static final String FORMAT_ONNX = "onnx";
    public static final String FORMAT_XGBOOST_UBJ = "xgboost-ubj";
    public static final Set<String> FORMATS = Set.of(FORMAT_ONNX, FORMAT_XGBOOST_UBJ);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    @Override
    public void validate() {
        new ModelRef(name, version).validate();
        if (!FORMATS.contains(format)) {
            throw InvalidMessageException.field("format must be one of " + FORMATS + ", got " + format);
        }
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw InvalidMessageException.field("sha256 must be 64 lower-case hex digits, got " + sha256);
        }
        if (createdAt == null) {
            throw InvalidMessageException.field("createdAt is missing");
        }
    }

    public ModelRef ref() {
        return new ModelRef(name, version);
    }
}
