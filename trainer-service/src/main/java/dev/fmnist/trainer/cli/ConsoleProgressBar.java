package dev.fmnist.trainer.cli;

import dev.fmnist.trainer.domain.EpochMetrics;
import dev.fmnist.trainer.domain.TrainingListener;
import java.io.PrintStream;

/** A one-line progress bar with ETA for the current stage, and one line per finished epoch. */
public final class ConsoleProgressBar implements TrainingListener {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private String stage = "";
    private long stageStart = System.nanoTime();
    private long lastDraw;
    private boolean lineOpen;

    public ConsoleProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void stage(String model, String stage) {
        endLine();
        this.stage = model + " " + stage;
        this.stageStart = System.nanoTime();
        this.lastDraw = 0;
    }

    @Override
    public synchronized void progress(String model, long done, long total) {
        long now = System.nanoTime();
        if (done < total && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        double fraction = total <= 0 ? 0 : Math.min(1.0, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        double elapsed = (now - stageStart) / 1e9;
        double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : Double.NaN;
        out.printf("\r%-28s [%s%s] %5.1f%% %d/%d  %s elapsed  ETA %s ", stage, "#".repeat(filled),
                "-".repeat(WIDTH - filled), 100 * fraction, done, total, clock(elapsed), clock(eta));
        out.flush();
        lineOpen = true;
    }

    @Override
    public synchronized void epoch(String model, EpochMetrics m) {
        endLine();
        // a refit has no validation set: its validation figures are NaN
        String validation = Double.isNaN(m.validationAccuracy()) ? "val -" : String.format("val loss %.4f  val acc %6.2f%%",
                m.validationLoss(), 100 * m.validationAccuracy());
        out.printf("%-8s epoch %3d  loss %.4f  train acc %6.2f%%  %s  %5.1f s  %,.0f img/s%n",
                model, m.epoch(), m.trainLoss(), 100 * m.trainAccuracy(), validation, m.seconds(), m.imagesPerSecond());
    }

    private void endLine() {
        if (lineOpen) {
            out.println();
            lineOpen = false;
        }
    }

    static String clock(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "--:--";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }
}
