package dev.fmnist.deploy.k8s;

import java.math.BigDecimal;
import java.util.Map;

/** Kubernetes resource quantities ("500m", "2", "1536Mi", "4Gi") as numbers: cores, or bytes. */
final class Quantity {
    private static final Map<String, BigDecimal> SUFFIX = Map.ofEntries(
            Map.entry("m", new BigDecimal("0.001")),
            Map.entry("k", BigDecimal.valueOf(1000L)), Map.entry("M", BigDecimal.valueOf(1000L * 1000)),
            Map.entry("G", BigDecimal.valueOf(1000L * 1000 * 1000)), Map.entry("T", BigDecimal.valueOf(1000L * 1000 * 1000 * 1000)),
            Map.entry("Ki", BigDecimal.valueOf(1L << 10)), Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
            Map.entry("Gi", BigDecimal.valueOf(1L << 30)), Map.entry("Ti", BigDecimal.valueOf(1L << 40)));

    private Quantity() {
    }

    static BigDecimal parse(String q) {
        String s = q.strip();
        for (String suffix : new String[] {"Ki", "Mi", "Gi", "Ti", "m", "k", "M", "G", "T"}) {
            if (s.endsWith(suffix)) {
                return new BigDecimal(s.substring(0, s.length() - suffix.length())).multiply(SUFFIX.get(suffix));
            }
        }
        return new BigDecimal(s);
    }
}
