package dev.fmnist.tools.demo;

import dev.fmnist.common.FashionClass;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What came back for one demo stream: one prediction per request and model, and the explanations
 * of the requests that asked for them. Duplicates (at-least-once delivery) are counted once.
 * Not thread-safe: one reader thread feeds it.
 */
public final class DemoTally {
    private final int images;
    private final List<String> models;
    private final Map<String, Set<String>> methodsByModel;
    private final boolean[] explainAsked;
    /** [model][request] = predicted label + 1, 0 while none arrived. */
    private final byte[][] predicted;
    private final byte[] trueLabels;
    private final Map<String, Integer> explanationsByMethod = new TreeMap<>();
    private final java.util.HashSet<String> explanationKeys = new java.util.HashSet<>();
    private int predictions;
    private int duplicates;
    private int explanations;

    public DemoTally(byte[] trueLabels, List<String> models, Map<String, Set<String>> methodsByModel,
                     boolean[] explainAsked) {
        this.images = trueLabels.length;
        this.trueLabels = trueLabels;
        this.models = List.copyOf(models);
        this.methodsByModel = methodsByModel;
        this.explainAsked = explainAsked;
        this.predicted = new byte[models.size()][images];
    }

    /** A prediction for request {@code index}; ignored when its model is not one of the expected ones. */
    public void prediction(int index, String model, int label) {
        int m = models.indexOf(model);
        if (m < 0 || index < 0 || index >= images) {
            return;
        }
        if (predicted[m][index] != 0) {
            duplicates++;
            return;
        }
        predicted[m][index] = (byte) (label + 1);
        predictions++;
    }

    /** A stored explanation of request {@code index}; only those asked for, and each method once, count. */
    public void explanation(int index, String model, String method) {
        if (index < 0 || index >= images || !explainAsked[index]
                || !methodsByModel.getOrDefault(model, Set.of()).contains(method)) {
            return;
        }
        if (explanationKeys.add(index + "/" + model + "/" + method)) {
            explanations++;
            explanationsByMethod.merge(model + " " + method, 1, Integer::sum);
        }
    }

    public int predictions() {
        return predictions;
    }

    public int expectedPredictions() {
        return images * models.size();
    }

    public int explanations() {
        return explanations;
    }

    public int expectedExplanations() {
        int asked = 0;
        for (boolean b : explainAsked) {
            asked += b ? 1 : 0;
        }
        int perRequest = models.stream().mapToInt(m -> methodsByModel.getOrDefault(m, Set.of()).size()).sum();
        return asked * perRequest;
    }

    public int duplicates() {
        return duplicates;
    }

    public boolean complete() {
        return predictions == expectedPredictions() && explanations == expectedExplanations();
    }

    public Map<String, Integer> explanationsByMethod() {
        return explanationsByMethod;
    }

    /** Test accuracy of one model over the predictions that arrived. */
    public double accuracy(String model) {
        int m = models.indexOf(model);
        int right = 0, seen = 0;
        for (int i = 0; i < images; i++) {
            if (predicted[m][i] != 0) {
                seen++;
                right += predicted[m][i] - 1 == trueLabels[i] ? 1 : 0;
            }
        }
        return seen == 0 ? Double.NaN : (double) right / seen;
    }

    /** Accuracy per true class: {@code [class]} over the predictions that arrived. */
    public double[] perClassAccuracy(String model) {
        int m = models.indexOf(model);
        int[] right = new int[FashionClass.COUNT], seen = new int[FashionClass.COUNT];
        for (int i = 0; i < images; i++) {
            if (predicted[m][i] != 0) {
                seen[trueLabels[i]]++;
                right[trueLabels[i]] += predicted[m][i] - 1 == trueLabels[i] ? 1 : 0;
            }
        }
        double[] out = new double[FashionClass.COUNT];
        for (int c = 0; c < out.length; c++) {
            out[c] = seen[c] == 0 ? Double.NaN : (double) right[c] / seen[c];
        }
        return out;
    }

    /** The paper's per-class layout, one column per model, as a Markdown table. */
    public String perClassTable() {
        StringBuilder sb = new StringBuilder("| class |");
        models.forEach(m -> sb.append(' ').append(m).append(" |"));
        sb.append("\n| --- |");
        models.forEach(m -> sb.append(" ---: |"));
        sb.append('\n');
        List<double[]> perModel = new ArrayList<>();
        models.forEach(m -> perModel.add(perClassAccuracy(m)));
        for (int c = 0; c < FashionClass.COUNT; c++) {
            sb.append("| ").append(FashionClass.ofLabel(c).displayName()).append(" |");
            for (double[] acc : perModel) {
                sb.append(String.format(Locale.ROOT, " %.1f %% |", 100 * acc[c]));
            }
            sb.append('\n');
        }
        sb.append("| **all** |");
        models.forEach(m -> sb.append(String.format(Locale.ROOT, " **%.2f %%** |", 100 * accuracy(m))));
        return sb.append('\n').toString();
    }

    /** Default explanation methods per model, as the explainer service configures them. */
    public static Map<String, Set<String>> defaultMethods() {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        m.put("cnn", Set.of("lime", "kernel_shap"));
        m.put("lenet", Set.of("lime", "kernel_shap"));
        m.put("xgboost", Set.of("lime", "kernel_shap", "tree_shap"));
        m.put("forest", Set.of("lime", "kernel_shap", "tree_shap"));
        return m;
    }
}
