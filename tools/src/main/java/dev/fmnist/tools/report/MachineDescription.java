package dev.fmnist.tools.report;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The machine the figures were measured on: CPU model, cores, memory, OS, Java. Read from /proc on Linux. */
final class MachineDescription {
    private MachineDescription() {
    }

    static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpuModel", procValue(Path.of("/proc/cpuinfo"), "model name").orElse(System.getProperty("os.arch")));
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        m.put("memoryGiB", Math.round(memory / (1024.0 * 1024 * 1024) * 10) / 10.0);
        m.put("os", osRelease().orElse(System.getProperty("os.name") + " " + System.getProperty("os.version")));
        m.put("kernel", System.getProperty("os.version"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("gpu", "none used (CPU engines)");
        return m;
    }

    static String oneLine(Map<String, Object> m) {
        return String.format(Locale.ROOT, "%s, %s CPUs, %s GiB, %s (kernel %s), %s", m.get("cpuModel"), m.get("cpus"),
                m.get("memoryGiB"), m.get("os"), m.get("kernel"), m.get("java"));
    }

    private static java.util.Optional<String> procValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                    return java.util.Optional.of(line.substring(colon + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the fallbacks describe the machine less precisely
        }
        return java.util.Optional.empty();
    }

    private static java.util.Optional<String> osRelease() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/etc/os-release"));
            return lines.stream().filter(l -> l.startsWith("PRETTY_NAME=")).findFirst()
                    .map(l -> l.substring("PRETTY_NAME=".length()).replace("\"", ""));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }
}
