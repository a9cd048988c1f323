package dev.fmnist.tools.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Why the calls of one phase failed, counted by reason ({@code HTTP 503: ...}, {@code gRPC UNAVAILABLE: ...}, an
 * exception's class and message), so that a failed call in a benchmark says what happened instead of only counting.
 * Safe for concurrent clients.
 */
final class CallFailures {
    /** A reason is cut to this many characters: a whole error body would make every call its own reason. */
    static final int REASON_CHARS = 160;

    private final ConcurrentHashMap<String, AtomicInteger> byReason = new ConcurrentHashMap<>();

    void add(String reason) {
        String r = reason == null || reason.isBlank() ? "no reason given" : reason.strip().replaceAll("\\s+", " ");
        if (r.length() > REASON_CHARS) {
            r = r.substring(0, REASON_CHARS) + "...";
        }
        byReason.computeIfAbsent(r, k -> new AtomicInteger()).incrementAndGet();
    }

    void add(Exception e) {
        add(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    int total() {
        return byReason.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** The reasons and their counts, sorted by reason. */
    Map<String, Integer> counts() {
        Map<String, Integer> out = new TreeMap<>();
        byReason.forEach((reason, count) -> out.put(reason, count.get()));
        return out;
    }
}
