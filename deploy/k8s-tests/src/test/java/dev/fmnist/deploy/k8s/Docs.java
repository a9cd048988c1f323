package dev.fmnist.deploy.k8s;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What deploy/k8s/README.md tells the reader to create by hand. */
final class Docs {
    private Docs() {
    }

    /** Secrets created with `kubectl create secret ...` in the README: name to the keys given with --from-literal. */
    static Map<String, Set<String>> documentedSecrets() {
        return documentedSecrets(Repo.read(Repo.k8s().resolve("README.md")));
    }

    static Map<String, Set<String>> documentedSecrets(String markdown) {
        String joined = markdown.replace("\\\n", " ");
        Map<String, Set<String>> out = new LinkedHashMap<>();
        Matcher cmd = Pattern.compile("create secret (?:generic|opaque) ([a-z0-9.-]+)([^\n]*)").matcher(joined);
        while (cmd.find()) {
            Set<String> keys = new TreeSet<>();
            Matcher lit = Pattern.compile("--from-literal=([A-Za-z0-9_.-]+)=").matcher(cmd.group(2));
            while (lit.find()) {
                keys.add(lit.group(1));
            }
            out.computeIfAbsent(cmd.group(1), k -> new TreeSet<>()).addAll(keys);
        }
        return out;
    }
}
