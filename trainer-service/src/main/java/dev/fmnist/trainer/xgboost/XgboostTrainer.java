package dev.fmnist.trainer.xgboost;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.common.messaging.ModelNames;
import dev.fmnist.runtime.scoring.ScorerOptions;
import dev.fmnist.runtime.scoring.XgboostScorer;
import dev.fmnist.trainer.data.TrainingData;
import dev.fmnist.trainer.domain.EpochMetrics;
import dev.fmnist.trainer.domain.TrainingListener;
import dev.fmnist.trainer.xgboost.XgboostSettings.GridPoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.jboss.logging.Logger;

/**
 * Trains the {@code xgboost} model (see {@link XgboostSettings} for the procedure): grid search
 * with stratified k-fold cross-validation over {@code max_depth} x {@code colsample_bytree}, then
 * the final fit on the training split with early stopping on the validation split.
 *
 * <p>Reports to the {@link TrainingListener}: a stage per grid point (progress in rounds), then the
 * stage "final fit" with one {@link EpochMetrics} per boosting round (loss = {@code mlogloss},
 * accuracy = {@code 1 - merror}, seconds of that round). Not thread-safe: one training at a time
 * per instance.
 */
public final class XgboostTrainer {
    public static final String MODEL = ModelNames.XGBOOST;
    /** Artifact format of the booster: XGBoost's Universal Binary JSON model (the registry's {@code xgboost-ubj}). */
    public static final String FORMAT = "ubj";

    private static final Logger LOG = Logger.getLogger(XgboostTrainer.class);
    private static final String TRAIN = "train";
    private static final String VALIDATION = "validation";

    private final String model;
    private final XgboostSettings settings;
    private final TrainingListener listener;

    /** The {@code xgboost} model's trainer (boosting). */
    public XgboostTrainer(XgboostSettings settings, TrainingListener listener) {
        this(MODEL, settings, listener);
    }

    /** The trainer of the XGBoost4J model {@code model} ({@code xgboost}, {@code forest}), for its progress and log. */
    public XgboostTrainer(String model, XgboostSettings settings, TrainingListener listener) {
        this.model = model;
        this.settings = settings;
        this.listener = listener == null ? TrainingListener.NONE : listener;
    }

    public XgboostSettings settings() {
        return settings;
    }

    /** Grid search on the training split, then the final fit with early stopping on the validation split. */
    public XgboostResult train(TrainingData data) {
        return train(data.train(), data.validation());
    }

    /** Grid search on {@code train}, then the final fit on {@code train} with early stopping on {@code validation}. */
    public XgboostResult train(LabelledImages train, LabelledImages validation) {
        LabelledImages gridData = gridSubsample(train);
        long start = System.nanoTime();
        List<GridResult> grid = gridSearch(gridData);
        double gridSeconds = secondsSince(start);
        GridPoint chosen = best(grid).point();
        LOG.infof("%s grid search: %d points in %.1f s on %d images, chose %s", model, grid.size(), gridSeconds,
                gridData.size(), chosen);
        return fit(train, validation, chosen, grid, gridData.size(), gridSeconds);
    }

    /** The stratified, seeded subsample of the training split that the grid search uses. */
    public LabelledImages gridSubsample(LabelledImages train) {
        int n = settings.gridSubsample();
        return n == 0 ? train : TrainingData.stratifiedSample(train, n, settings.seed());
    }

    /** Cross-validation of every grid point on {@code data} (used whole: subsample beforehand). */
    public List<GridResult> gridSearch(LabelledImages data) {
        List<GridPoint> points = settings.gridPoints();
        int[][] folds = stratifiedFolds(data.labels(), settings.cvFolds(), settings.seed());
        List<GridResult> results = new ArrayList<>();
        DMatrix all = matrix(data);
        List<DMatrix[]> foldMatrices = new ArrayList<>();
        try {
            for (int[] heldOut : folds) {
                foldMatrices.add(new DMatrix[] {all.slice(complement(heldOut, data.size())), all.slice(heldOut)});
            }
            for (int p = 0; p < points.size(); p++) {
                GridPoint point = points.get(p);
                listener.stage(model, "grid search " + (p + 1) + "/" + points.size() + ": " + point + ", "
                        + settings.cvFolds() + "-fold CV on " + data.size() + " images");
                GridResult result = crossValidate(point, foldMatrices);
                LOG.infof("%s CV %s: error %.4f +- %.4f, mlogloss %.4f at %d rounds (%.1f s)", model, point,
                        result.meanCvError(), result.stdCvError(), result.meanCvLogLoss(), result.bestRounds(),
                        result.seconds());
                results.add(result);
            }
        } catch (XGBoostError e) {
            throw new XgboostException("grid search failed", e);
        } finally {
            foldMatrices.forEach(pair -> {
                pair[0].dispose();
                pair[1].dispose();
            });
            all.dispose();
        }
        return results;
    }

    /** The grid point with the lowest mean CV error; ties go to the lower mean log loss. */
    public static GridResult best(List<GridResult> grid) {
        return grid.stream()
                .min(Comparator.comparingDouble(GridResult::meanCvError).thenComparingDouble(GridResult::meanCvLogLoss))
                .orElseThrow(() -> new IllegalArgumentException("empty grid"));
    }

    private GridResult crossValidate(GridPoint point, List<DMatrix[]> folds) throws XGBoostError {
        long start = System.nanoTime();
        int k = folds.size();
        Booster[] boosters = new Booster[k];
        try {
            for (int f = 0; f < k; f++) {
                boosters[f] = newBooster(settings.gridBoosterParams(point), folds.get(f)[0],
                        folds.get(f)[1]);
            }
            int maxRounds = settings.gridMaxRounds();
            double bestLoss = Double.POSITIVE_INFINITY;
            double[] errorsAtBest = new double[k];
            int bestRound = -1;
            int round = 0;
            for (; round < maxRounds; round++) {
                double lossSum = 0;
                double[] errors = new double[k];
                for (int f = 0; f < k; f++) {
                    boosters[f].update(folds.get(f)[0], round);
                    Map<String, Double> m = parseEval(boosters[f].evalSet(new DMatrix[] {folds.get(f)[1]},
                            new String[] {VALIDATION}, round));
                    lossSum += metric(m, VALIDATION, "mlogloss");
                    errors[f] = metric(m, VALIDATION, "merror");
                }
                listener.progress(model, round + 1, maxRounds);
                double loss = lossSum / k;
                if (loss < bestLoss) {
                    bestLoss = loss;
                    bestRound = round;
                    errorsAtBest = errors;
                } else if (round - bestRound >= settings.gridEarlyStoppingRounds()) {
                    round++;
                    break;
                }
            }
            double mean = 0;
            for (double e : errorsAtBest) {
                mean += e / k;
            }
            double var = 0;
            for (double e : errorsAtBest) {
                var += (e - mean) * (e - mean) / (k - 1);
            }
            return new GridResult(point, mean, Math.sqrt(var), bestLoss, bestRound + 1, Math.min(round, maxRounds),
                    secondsSince(start));
        } finally {
            for (Booster b : boosters) {
                if (b != null) {
                    b.dispose();
                }
            }
        }
    }

    /**
     * Fits {@code point} on {@code train} at the final learning rate with early stopping on
     * {@code validation}; the grid results are carried into the result as given.
     */
    public XgboostResult fit(LabelledImages train, LabelledImages validation, GridPoint point,
                             List<GridResult> grid, int gridImages, double gridSeconds) {
        int maxRounds = settings.maxRounds();
        double eta = settings.eta();
        Map<String, Object> params = settings.boosterParams(point, eta);
        listener.stage(model, "final fit: " + point + ", eta=" + eta + ", up to " + maxRounds + " rounds on "
                + train.size() + " images");
        long start = System.nanoTime();
        DMatrix dtrain = matrix(train);
        DMatrix dval = matrix(validation);
        Booster booster = null;
        try {
            booster = newBooster(params, dtrain, dval);
            DMatrix[] watches = {dtrain, dval};
            String[] names = {TRAIN, VALIDATION};
            List<EpochMetrics> history = new ArrayList<>();
            byte[] bestModel = null;
            double bestLoss = Double.POSITIVE_INFINITY;
            double bestAccuracy = Double.NaN;
            int bestRound = -1;
            long snapshotNanos = 0;
            double timeLimit = settings.fitTimeLimitSeconds();
            String stopReason = XgboostResult.STOP_ROUND_LIMIT;
            int round = 0;
            for (; round < maxRounds; round++) {
                long roundStart = System.nanoTime();
                booster.update(dtrain, round);
                Map<String, Double> m = parseEval(booster.evalSet(watches, names, round));
                double seconds = secondsSince(roundStart);
                EpochMetrics metrics = new EpochMetrics(round + 1, metric(m, TRAIN, "mlogloss"),
                        1 - metric(m, TRAIN, "merror"), metric(m, VALIDATION, "mlogloss"),
                        1 - metric(m, VALIDATION, "merror"), eta, seconds, train.size() / seconds);
                history.add(metrics);
                listener.epoch(model, metrics);
                listener.progress(model, round + 1, maxRounds);
                if (metrics.validationLoss() < bestLoss) {
                    bestLoss = metrics.validationLoss();
                    bestAccuracy = metrics.validationAccuracy();
                    bestRound = round;
                    // keep the best round's model: XGBoost4J cannot cut trees off a booster
                    long snapshotStart = System.nanoTime();
                    bestModel = booster.toByteArray(FORMAT);
                    snapshotNanos += System.nanoTime() - snapshotStart;
                } else if (round - bestRound >= settings.earlyStoppingRounds()) {
                    stopReason = XgboostResult.STOP_EARLY_STOPPING;
                    round++;
                    break;
                }
                if (timeLimit > 0 && secondsSince(start) >= timeLimit && round + 1 < maxRounds) {
                    stopReason = XgboostResult.STOP_TIME_LIMIT;
                    LOG.warnf("%s final fit: time limit of %.0f s reached after %d rounds", model, timeLimit,
                            round + 1);
                    round++;
                    break;
                }
            }
            int roundsTrained = Math.min(round, maxRounds);
            if (bestModel == null) {
                throw new XgboostException("no round gave a finite validation mlogloss", null);
            }
            booster.dispose();
            booster = null;
            float[] importance;
            try (XgboostScorer scorer = new XgboostScorer(model, 0, bestModel,
                    ScorerOptions.cpu().withThreads(settings.nthread()))) {
                importance = scorer.importance("gain");
            }
            double fitSeconds = secondsSince(start);
            LOG.infof("%s final fit %s: best round %d of %d (%s), validation mlogloss %.4f accuracy %.4f"
                    + " (%.1f s, of which %.1f s keeping the best round's model)", model, point, bestRound + 1, roundsTrained,
                    stopReason, bestLoss, bestAccuracy, fitSeconds, snapshotNanos / 1e9);
            Map<String, Object> recorded = new LinkedHashMap<>(params);
            recorded.put("eval_metric", XgboostSettings.EVAL_METRICS);
            recorded.put("num_boost_round", bestRound + 1);
            if (!settings.ensemble().isForest()) { // a forest's one round leaves nothing to stop early
                recorded.put("early_stopping_rounds", settings.earlyStoppingRounds());
            }
            return new XgboostResult(bestModel, point, recorded, grid, bestRound, roundsTrained, stopReason, bestLoss,
                    bestAccuracy, history, importance, gridImages, train.size(), gridSeconds, fitSeconds);
        } catch (XGBoostError e) {
            throw new XgboostException("final fit failed", e);
        } finally {
            if (booster != null) {
                booster.dispose();
            }
            dtrain.dispose();
            dval.dispose();
        }
    }

    /**
     * A fresh booster for {@code params} that caches predictions for {@code train} and
     * {@code evaluated} and reports {@code mlogloss} and {@code merror}.
     */
    private static Booster newBooster(Map<String, Object> params, DMatrix train, DMatrix evaluated)
            throws XGBoostError {
        Map<String, DMatrix> watches = new LinkedHashMap<>();
        watches.put(TRAIN, train);
        watches.put(VALIDATION, evaluated);
        // zero rounds: XGBoost4J offers no public constructor; the rounds are run here, one by one
        Booster booster = XGBoost.train(train, params, 0, watches, null, null, null, 0);
        for (String metric : XgboostSettings.EVAL_METRICS) {
            booster.setParam("eval_metric", metric); // each call adds a metric
        }
        return booster;
    }

    /** A DMatrix of {@code pixel / 255} features, NaN as missing, with the labels. */
    static DMatrix matrix(LabelledImages images) {
        try {
            DMatrix m = new DMatrix(images.modelInput(), images.size(), Pixels.COUNT,
                    XgboostSettings.MISSING);
            float[] labels = new float[images.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = images.label(i);
            }
            m.setLabel(labels);
            return m;
        } catch (XGBoostError e) {
            throw new XgboostException("could not build a DMatrix of " + images.size() + " images", e);
        }
    }

    /**
     * Parses XGBoost's evaluation line, e.g. {@code [3]\ttrain-mlogloss:0.51\tvalidation-merror:0.12},
     * into {@code "train-mlogloss" -> 0.51, ...}.
     */
    static Map<String, Double> parseEval(String line) {
        Map<String, Double> out = new LinkedHashMap<>();
        String[] items = line.trim().split("\t");
        for (int i = 1; i < items.length; i++) {
            int colon = items[i].lastIndexOf(':');
            if (colon < 0) {
                throw new XgboostException("unexpected evaluation output: " + line, null);
            }
            out.put(items[i].substring(0, colon), Double.parseDouble(items[i].substring(colon + 1)));
        }
        return out;
    }

    private static double metric(Map<String, Double> metrics, String set, String metric) {
        Double value = metrics.get(set + "-" + metric);
        if (value == null) {
            throw new XgboostException("no " + set + "-" + metric + " in the evaluation output " + metrics, null);
        }
        return value;
    }

    /** Held-out indices of each of {@code k} folds, each class spread evenly over the folds. */
    static int[][] stratifiedFolds(byte[] labels, int k, long seed) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < FashionClass.COUNT; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        Random random = new Random(seed);
        List<List<Integer>> folds = new ArrayList<>();
        for (int f = 0; f < k; f++) {
            folds.add(new ArrayList<>());
        }
        int next = 0;
        for (List<Integer> indices : byClass) {
            Collections.shuffle(indices, random);
            for (int index : indices) {
                folds.get(next).add(index);
                next = (next + 1) % k; // carried across classes so that fold sizes differ by at most 1
            }
        }
        int[][] out = new int[k][];
        for (int f = 0; f < k; f++) {
            out[f] = folds.get(f).stream().mapToInt(Integer::intValue).sorted().toArray();
        }
        return out;
    }

    private static int[] complement(int[] sortedHeldOut, int n) {
        int[] out = new int[n - sortedHeldOut.length];
        int j = 0;
        int o = 0;
        for (int i = 0; i < n; i++) {
            if (j < sortedHeldOut.length && sortedHeldOut[j] == i) {
                j++;
            } else {
                out[o++] = i;
            }
        }
        return out;
    }

    private static double secondsSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
