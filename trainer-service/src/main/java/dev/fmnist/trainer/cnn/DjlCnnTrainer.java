package dev.fmnist.trainer.cnn;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.fmnist.common.FashionClass;
import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.trainer.domain.EpochMetrics;
import dev.fmnist.trainer.domain.TrainingListener;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jboss.logging.Logger;

/**
 * Trains a {@link CnnArchitecture} with DJL's PyTorch engine on the CPU natives shipped in the
 * {@code pytorch-native-cpu} jar (offline). The whole split is converted to float32 once, so each
 * batch is a single buffer copy and the data pipeline never waits on libtorch.
 */
public final class DjlCnnTrainer {
    private static final Logger LOG = Logger.getLogger(DjlCnnTrainer.class);
    /**
     * Images per inference call of the engine. libtorch on 2 cores scored 12,000 views (6,000 validation images,
     * mirror averaged) in 3.0-3.6 s at 100 or 128 images a call against 6.7-8.2 s at 1,000 (2026-12-04), a cost paid
     * every epoch.
     */
    private static final int EVAL_BATCH = 128;

    /** Outcome of a training run: best weights (by validation accuracy) and the per-epoch history. */
    public record Result(CnnWeights weights, List<EpochMetrics> epochs, int bestEpoch, double bestValidationAccuracy,
                         double seconds, double imagesPerSecond) {
    }

    private DjlCnnTrainer() {
    }

    /**
     * Points DJL at the jar's natives, offline, with its cache in {@code cacheDir} and libtorch's
     * thread pools sized by {@code threads}. Must run before the engine first loads.
     */
    public static synchronized void configureEngine(Path cacheDir, int threads) {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("DJL_CACHE_DIR", cacheDir.toAbsolutePath().toString());
        System.setProperty("ENGINE_CACHE_DIR", cacheDir.toAbsolutePath().toString());
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.default_engine", "PyTorch");
    }

    /** The DJL block of an architecture; {@code blocks} receives the block of every layer, in order. */
    static SequentialBlock buildBlock(CnnArchitecture architecture, List<Block> blocks) {
        SequentialBlock net = new SequentialBlock();
        for (CnnArchitecture.Layer layer : architecture.layers()) {
            Block block;
            if (layer instanceof CnnArchitecture.Conv c) {
                block = Conv2d.builder().setKernelShape(new Shape(c.kernel(), c.kernel()))
                        .optPadding(new Shape(c.padding(), c.padding())).setFilters(c.filters()).build();
            } else if (layer instanceof CnnArchitecture.BatchNorm) {
                block = BatchNorm.builder().optEpsilon(CnnArchitecture.BatchNorm.EPSILON).build();
            } else if (layer instanceof CnnArchitecture.Relu) {
                block = Activation.reluBlock();
            } else if (layer instanceof CnnArchitecture.AvgPool p) {
                block = Pool.avgPool2dBlock(new Shape(p.size(), p.size()), new Shape(p.size(), p.size()));
            } else if (layer instanceof CnnArchitecture.MaxPool p) {
                block = Pool.maxPool2dBlock(new Shape(p.size(), p.size()), new Shape(p.size(), p.size()));
            } else if (layer instanceof CnnArchitecture.Flatten) {
                block = Blocks.batchFlattenBlock();
            } else if (layer instanceof CnnArchitecture.Dense d) {
                block = Linear.builder().setUnits(d.units()).build();
            } else if (layer instanceof CnnArchitecture.Dropout d) {
                block = Dropout.builder().optRate(d.rate()).build();
            } else {
                throw new IllegalArgumentException("unsupported layer " + layer);
            }
            blocks.add(block);
            net.add(block);
        }
        return net;
    }

    /**
     * Trains on {@code train}, keeping the weights of the epoch with the best validation accuracy; with an
     * empty {@code validation} (a refit) trains all {@code settings.epochs()} and keeps the last epoch's.
     */
    public static Result train(CnnArchitecture architecture, LabelledImages train, LabelledImages validation,
                               CnnTrainingSettings settings, TrainingListener listener) {
        String name = architecture.name();
        Engine.getEngine("PyTorch").setRandomSeed((int) settings.seed());
        float[] trainX = train.modelInput();
        float[] trainY = labelsAsFloat(train);
        float[] valX = validation.modelInput();
        boolean validating = validation.size() > 0;
        int n = train.size();
        int stepsPerEpoch = (n + settings.batchSize() - 1) / settings.batchSize();
        Tracker lr = Tracker.cosine().setBaseValue(settings.learningRate())
                .optFinalValue(settings.learningRate() * 0.01f)
                .setMaxUpdates(Math.max(1, stepsPerEpoch * settings.epochs())).build();
        // Nesterov (Optimizer.nag) is not implemented by DJL's PyTorch engine, so SGD uses classical momentum
        Optimizer optimizer = "sgd".equals(settings.optimizer())
                ? Optimizer.sgd().setLearningRateTracker(lr).optMomentum(0.9f).optWeightDecays(settings.weightDecay()).build()
                : Optimizer.adam().optLearningRateTracker(lr).optWeightDecays(settings.weightDecay()).build();
        List<Block> blocks = new ArrayList<>();
        SequentialBlock net = buildBlock(architecture, blocks);
        List<EpochMetrics> history = new ArrayList<>();
        long start = System.nanoTime();
        long trainedImages = 0;
        double trainSeconds = 0;
        try (Model model = Model.newInstance(name, Device.cpu(), "PyTorch")) {
            model.setBlock(net);
            // label smoothing needs dense targets: DJL's loss takes a distribution per image when sparseLabel is false
            boolean smooth = settings.labelSmoothing() > 0;
            Loss lossFunction = smooth ? new SoftmaxCrossEntropyLoss("SoftmaxCrossEntropyLoss", 1, -1, false, true)
                    : Loss.softmaxCrossEntropyLoss();
            DefaultTrainingConfig config = new DefaultTrainingConfig(lossFunction).optOptimizer(optimizer);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(settings.batchSize(), 1, Pixels.SIDE, Pixels.SIDE));
                Random order = new Random(settings.seed());
                int[] indices = new int[n];
                for (int i = 0; i < n; i++) {
                    indices[i] = i;
                }
                float[] batchX = new float[settings.batchSize() * Pixels.COUNT];
                float[] batchY = new float[settings.batchSize()];
                float[] batchTargets = smooth ? new float[settings.batchSize() * FashionClass.COUNT] : null;
                WeightAverage average = settings.averageDecay() > 0
                        ? new WeightAverage(blocks, trainer.getManager(), settings.averageDecay()) : null;
                List<Map<String, float[]>> best = null;
                double bestAccuracy = -1;
                int bestEpoch = 0;
                int sinceBest = 0;
                for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
                    listener.stage(name, "epoch " + epoch + "/" + settings.epochs());
                    shuffle(indices, order);
                    long t0 = System.nanoTime();
                    double lossSum = 0;
                    long correct = 0;
                    for (int step = 0; step < stepsPerEpoch; step++) {
                        int from = step * settings.batchSize();
                        int b = Math.min(settings.batchSize(), n - from);
                        for (int i = 0; i < b; i++) {
                            int idx = indices[from + i];
                            if (settings.augmentation() != CnnTrainingSettings.Augmentation.NONE) {
                                augment(trainX, idx * Pixels.COUNT, batchX, i * Pixels.COUNT, order,
                                        settings.augmentation() == CnnTrainingSettings.Augmentation.FLIP_SHIFT
                                                ? CnnTrainingSettings.MAX_SHIFT : 0);
                            } else {
                                System.arraycopy(trainX, idx * Pixels.COUNT, batchX, i * Pixels.COUNT, Pixels.COUNT);
                            }
                            if (settings.augmentation() == CnnTrainingSettings.Augmentation.FLIP_ERASE) {
                                erase(batchX, i * Pixels.COUNT, order);
                            }
                            batchY[i] = trainY[idx];
                            if (smooth) {
                                smoothTarget(batchTargets, i, (int) trainY[idx], settings.labelSmoothing());
                            }
                        }
                        try (NDManager m = trainer.getManager().newSubManager()) {
                            NDArray x = m.create(FloatBuffer.wrap(batchX, 0, b * Pixels.COUNT),
                                    new Shape(b, 1, Pixels.SIDE, Pixels.SIDE));
                            NDArray y = m.create(FloatBuffer.wrap(batchY, 0, b), new Shape(b));
                            NDArray target = smooth
                                    ? m.create(FloatBuffer.wrap(batchTargets, 0, b * FashionClass.COUNT), new Shape(b, FashionClass.COUNT))
                                    : y;
                            NDArray logits;
                            NDArray loss;
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                logits = trainer.forward(new NDList(x)).singletonOrThrow();
                                loss = trainer.getLoss().evaluate(new NDList(target), new NDList(logits));
                                gc.backward(loss);
                            }
                            trainer.step();
                            if (average != null) {
                                average.update(m);
                            }
                            lossSum += loss.getFloat() * b;
                            correct += logits.argMax(1).toType(DataType.FLOAT32, false).eq(y).sum().getLong();
                        }
                        listener.progress(name, step + 1, stepsPerEpoch);
                    }
                    double epochSeconds = (System.nanoTime() - t0) / 1e9;
                    trainSeconds += epochSeconds;
                    trainedImages += n;
                    double valAccuracy = Double.NaN;
                    double valLoss = Double.NaN;
                    List<Map<String, float[]>> candidate = null;
                    if (validating) {
                        // validated as served: mirror averaged when the architecture says so
                        float[] valProbs = predict(net, trainer.getManager(), valX, validation.size(),
                                architecture.mirrorAveraged());
                        valAccuracy = accuracy(valProbs, validation.labels());
                        if (average != null) {
                            // the averaged weights are what is validated and kept; the raw figure is logged beside them
                            candidate = average.weights();
                            double raw = valAccuracy;
                            valProbs = predict(new CnnWeights(architecture, candidate), valX, validation.size());
                            valAccuracy = accuracy(valProbs, validation.labels());
                            LOG.infof("%s: epoch %d validation accuracy %.4f with averaged weights, %.4f without",
                                    name, epoch, valAccuracy, raw);
                        }
                        valLoss = crossEntropy(valProbs, validation.labels());
                    }
                    EpochMetrics metrics = new EpochMetrics(epoch, lossSum / n, (double) correct / n, valLoss, valAccuracy,
                            lr.getNewValue(epoch * stepsPerEpoch), epochSeconds, n / epochSeconds);
                    history.add(metrics);
                    listener.epoch(name, metrics);
                    // a validated run keeps its best epoch and stops early; a refit (no validation) keeps its last
                    if (validating ? valAccuracy > bestAccuracy : epoch == settings.epochs()) {
                        bestAccuracy = valAccuracy;
                        bestEpoch = epoch;
                        best = candidate != null ? candidate
                                : average != null ? average.weights() : extract(architecture, blocks);
                        sinceBest = 0;
                    } else if (validating && ++sinceBest >= settings.patience()) {
                        LOG.infof("%s: stopping early after epoch %d, best validation accuracy %.4f at epoch %d",
                                name, epoch, bestAccuracy, bestEpoch);
                        break;
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                return new Result(new CnnWeights(architecture, best), history, bestEpoch, bestAccuracy, seconds,
                        trainedImages / trainSeconds);
            }
        }
    }

    /**
     * Exponential moving average of every parameter, batch norm's running statistics included
     * (Polyak averaging, as in timm's ModelEma): after step t each average moves towards the weights by
     * 1 - min(decay, (1 + t) / (10 + t)), so that the first steps are not dominated by the initial
     * weights. The averages live in libtorch beside the weights; only {@link #weights()} copies them out.
     */
    static final class WeightAverage {
        private final List<List<Pair<String, Parameter>>> parameters = new ArrayList<>();
        private final List<List<NDArray>> averages = new ArrayList<>();
        private final float decay;
        private long updates;

        WeightAverage(List<Block> blocks, NDManager manager, float decay) {
            this.decay = decay;
            for (Block block : blocks) {
                List<Pair<String, Parameter>> ps = new ArrayList<>();
                List<NDArray> avg = new ArrayList<>();
                for (Pair<String, Parameter> p : block.getDirectParameters()) {
                    NDArray weights = p.getValue().getArray();
                    ps.add(p);
                    avg.add(manager.create(weights.toFloatArray(), weights.getShape()));
                }
                parameters.add(ps);
                averages.add(avg);
            }
        }

        /** Moves every average towards the current weights; temporaries go to {@code scratch}. */
        void update(NDManager scratch) {
            updates++;
            float d = Math.min(decay, (1f + updates) / (10f + updates));
            for (int b = 0; b < parameters.size(); b++) {
                for (int i = 0; i < parameters.get(b).size(); i++) {
                    // detached, so that no autograd graph grows across steps
                    NDArray current = parameters.get(b).get(i).getValue().getArray().stopGradient();
                    current.attach(scratch);
                    averages.get(b).get(i).muli(d).addi(current.mul(1 - d));
                }
            }
        }

        /** The averaged weights, block by block, keyed like {@link CnnWeights}. */
        List<Map<String, float[]>> weights() {
            List<Map<String, float[]>> layers = new ArrayList<>();
            for (int b = 0; b < parameters.size(); b++) {
                Map<String, float[]> params = new LinkedHashMap<>();
                for (int i = 0; i < parameters.get(b).size(); i++) {
                    params.put(parameters.get(b).get(i).getKey(), averages.get(b).get(i).toFloatArray());
                }
                layers.add(params);
            }
            return layers;
        }
    }

    /**
     * Probabilities {@code [n][10]} flat, from the engine in inference mode (no dropout, running statistics); with
     * {@code mirrorAveraged} the
     * softmax of the mean of the logits of each image and of its left-right mirror image.
     */
    static float[] predict(Block net, NDManager parent, float[] input, int n, boolean mirrorAveraged) {
        float[] out = new float[n * FashionClass.COUNT];
        try (NDManager m = parent.newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            for (int from = 0; from < n; from += EVAL_BATCH) {
                int b = Math.min(EVAL_BATCH, n - from);
                try (NDManager bm = m.newSubManager()) {
                    Shape shape = new Shape(b, 1, Pixels.SIDE, Pixels.SIDE);
                    NDArray x = bm.create(FloatBuffer.wrap(input, from * Pixels.COUNT, b * Pixels.COUNT), shape);
                    NDArray logits = net.forward(ps, new NDList(x), false).singletonOrThrow();
                    if (mirrorAveraged) {
                        float[] mirrored = mirror(input, from, b);
                        NDArray other = net.forward(ps, new NDList(bm.create(FloatBuffer.wrap(mirrored), shape)), false)
                                .singletonOrThrow();
                        logits = logits.add(other).div(2f);
                    }
                    System.arraycopy(logits.softmax(1).toFloatArray(), 0, out, from * FashionClass.COUNT,
                            b * FashionClass.COUNT);
                }
            }
        }
        return out;
    }

    /** Images {@code from} to {@code from + count} of {@code input}, each flipped left-right. */
    static float[] mirror(float[] input, int from, int count) {
        int side = Pixels.SIDE;
        float[] out = new float[count * Pixels.COUNT];
        for (int i = 0; i < count; i++) {
            int src = (from + i) * Pixels.COUNT;
            int dst = i * Pixels.COUNT;
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    out[dst + y * side + x] = input[src + y * side + side - 1 - x];
                }
            }
        }
        return out;
    }

    /**
     * Probabilities of the given weights computed by the training engine in inference mode: the
     * reference the ONNX export is checked against.
     */
    public static float[] predict(CnnWeights weights, float[] input, int n) {
        List<Block> blocks = new ArrayList<>();
        SequentialBlock net = buildBlock(weights.architecture(), blocks);
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            net.initialize(m, DataType.FLOAT32, new Shape(1, 1, Pixels.SIDE, Pixels.SIDE));
            load(weights, blocks);
            return predict(net, m, input, n, weights.architecture().mirrorAveraged());
        }
    }

    private static List<Map<String, float[]>> extract(CnnArchitecture architecture, List<Block> blocks) {
        List<Map<String, float[]>> layers = new ArrayList<>();
        for (Block block : blocks) {
            Map<String, float[]> params = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : block.getDirectParameters()) {
                params.put(p.getKey(), p.getValue().getArray().toFloatArray());
            }
            layers.add(params);
        }
        return layers;
    }

    private static void load(CnnWeights weights, List<Block> blocks) {
        for (int i = 0; i < blocks.size(); i++) {
            for (Pair<String, Parameter> p : blocks.get(i).getDirectParameters()) {
                p.getValue().getArray().set(FloatBuffer.wrap(weights.get(i, p.getKey())));
            }
        }
    }

    /** Copies one image flipped left-right with probability 1/2 and shifted by up to {@code maxShift} pixels, zero-filled. */
    static void augment(float[] src, int srcOffset, float[] dst, int dstOffset, Random random, int maxShift) {
        int side = Pixels.SIDE;
        boolean flip = random.nextBoolean();
        int dx = maxShift == 0 ? 0 : random.nextInt(2 * maxShift + 1) - maxShift;
        int dy = maxShift == 0 ? 0 : random.nextInt(2 * maxShift + 1) - maxShift;
        for (int y = 0; y < side; y++) {
            int sy = y - dy;
            for (int x = 0; x < side; x++) {
                int sx = x - dx;
                if (flip) {
                    sx = side - 1 - sx;
                }
                dst[dstOffset + y * side + x] = sy >= 0 && sy < side && sx >= 0 && sx < side
                        ? src[srcOffset + sy * side + sx] : 0f;
            }
        }
    }

    /**
     * Random erasing with zero fill (Zhong et al., "Random Erasing Data Augmentation", 2017): with
     * chance {@link CnnTrainingSettings#ERASE_PROBABILITY}, a rectangle covering 2-40 % of the image,
     * aspect ratio between 0.3 and 3.3, is set to 0, the background value, so that the network cannot
     * lean on any single part of the garment.
     */
    static void erase(float[] image, int offset, Random random) {
        if (random.nextDouble() >= CnnTrainingSettings.ERASE_PROBABILITY) {
            return;
        }
        int side = Pixels.SIDE;
        for (int attempt = 0; attempt < 10; attempt++) {
            double area = side * side * (CnnTrainingSettings.ERASE_MIN_AREA
                    + random.nextDouble() * (CnnTrainingSettings.ERASE_MAX_AREA - CnnTrainingSettings.ERASE_MIN_AREA));
            double aspect = Math.exp(Math.log(0.3) + random.nextDouble() * (Math.log(1 / 0.3) - Math.log(0.3)));
            int h = (int) Math.round(Math.sqrt(area * aspect));
            int w = (int) Math.round(Math.sqrt(area / aspect));
            if (h < 1 || w < 1 || h >= side || w >= side) {
                continue;
            }
            int top = random.nextInt(side - h + 1);
            int left = random.nextInt(side - w + 1);
            for (int y = top; y < top + h; y++) {
                java.util.Arrays.fill(image, offset + y * side + left, offset + y * side + left + w, 0f);
            }
            return;
        }
    }

    /** Row {@code row} of {@code targets}: 1 - epsilon + epsilon / 10 on {@code label}, epsilon / 10 elsewhere. */
    static void smoothTarget(float[] targets, int row, int label, float epsilon) {
        float rest = epsilon / FashionClass.COUNT;
        java.util.Arrays.fill(targets, row * FashionClass.COUNT, (row + 1) * FashionClass.COUNT, rest);
        targets[row * FashionClass.COUNT + label] = 1 - epsilon + rest;
    }

    private static float[] labelsAsFloat(LabelledImages images) {
        float[] y = new float[images.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = images.label(i);
        }
        return y;
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    static double accuracy(float[] probs, byte[] labels) {
        int correct = 0;
        int k = FashionClass.COUNT;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (probs[i * k + c] > probs[i * k + best]) {
                    best = c;
                }
            }
            if (best == labels[i]) {
                correct++;
            }
        }
        return labels.length == 0 ? Double.NaN : (double) correct / labels.length;
    }

    static double crossEntropy(float[] probs, byte[] labels) {
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            sum -= Math.log(Math.max(1e-12, probs[i * FashionClass.COUNT + labels[i]]));
        }
        return labels.length == 0 ? Double.NaN : sum / labels.length;
    }
}
