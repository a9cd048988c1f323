package dev.fmnist.xai;

import dev.fmnist.common.Pixels;

/**
 * Quickshift (Vedaldi and Soatto, 2008), the segmentation the reference LIME's image explainer uses
 * ({@code skimage.segmentation.quickshift}), for a grey image: every pixel gets a density, a Gaussian
 * Parzen estimate over its window in (y, x, intensity) space; it links to the nearest pixel of
 * higher density in its window, unless that one is farther than {@code maxDistance}; each tree of
 * links is a segment. Written here rather than taken from a library because the only Java
 * implementation found is part of a large imaging framework, and the algorithm is 60 lines.
 *
 * <p>As in scikit-image, the joint distance is {@code dy^2 + dx^2 + (ratio * 100 * dI)^2} with
 * intensities in [0, 1] scaled to the 0..100 of the L channel of Lab, and the window reaches
 * {@code ceil(3 kernelSize)} pixels. A last pass makes every segment one 4-connected region (a link
 * may jump over pixels of another segment), as {@link SlicSegmentation} does. Deterministic: where
 * scikit-image adds random jitter to the densities to break ties (a flat region has equal densities,
 * and without a tie rule each of its pixels would be a segment of its own), a pixel here also links
 * to a pixel of equal density and lower index, so a flat region becomes one tree.
 *
 * @param kernelSize  width of the Gaussian density kernel in pixels, more than 0 (more: fewer segments)
 * @param maxDistance longest link in the joint distance (more: fewer segments)
 * @param ratio       weight of intensity against space, 0..1 (scikit-image's default 1, LIME's 0.2)
 */
public record QuickshiftSegmentation(double kernelSize, double maxDistance, double ratio) implements Segmentation {

    public QuickshiftSegmentation {
        if (!(kernelSize > 0) || kernelSize > Pixels.SIDE) {
            throw new IllegalArgumentException("quickshift kernel size must be above 0 and at most " + Pixels.SIDE
                    + " pixels, got " + kernelSize);
        }
        if (!(maxDistance > 0) || Double.isInfinite(maxDistance)) {
            throw new IllegalArgumentException("quickshift max distance must be a finite number above 0, got "
                    + maxDistance);
        }
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("quickshift ratio must be 0..1, got " + ratio);
        }
    }

    /** {@code qs}, kernel size, {@code d} max distance, {@code r} ratio: {@code qs2d10r0.2}. */
    @Override
    public String name() {
        return "qs" + plain(kernelSize) + "d" + plain(maxDistance) + "r" + plain(ratio);
    }

    private static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    @Override
    public short[] segment(float[] image) {
        Explanations.requireImage(image);
        int side = Pixels.SIDE;
        int n = Pixels.COUNT;
        int window = (int) Math.ceil(3 * kernelSize);
        double inv = 1 / (2 * kernelSize * kernelSize);
        double colour = ratio * 100;
        double[] density = new double[n];
        for (int p = 0; p < n; p++) {
            int py = p / side;
            int px = p % side;
            double sum = 0;
            for (int y = Math.max(0, py - window); y <= Math.min(side - 1, py + window); y++) {
                for (int x = Math.max(0, px - window); x <= Math.min(side - 1, px + window); x++) {
                    sum += Math.exp(-distance(image, py, px, y, x, colour) * inv);
                }
            }
            density[p] = sum;
        }
        double maxSquared = maxDistance * maxDistance;
        int[] parent = new int[n];
        for (int p = 0; p < n; p++) {
            int py = p / side;
            int px = p % side;
            parent[p] = p;
            double nearest = Double.POSITIVE_INFINITY;
            for (int y = Math.max(0, py - window); y <= Math.min(side - 1, py + window); y++) {
                for (int x = Math.max(0, px - window); x <= Math.min(side - 1, px + window); x++) {
                    int q = y * side + x;
                    if (density[q] > density[p] || (density[q] == density[p] && q < p)) {
                        double d = distance(image, py, px, y, x, colour);
                        if (d < nearest && d <= maxSquared) {
                            nearest = d;
                            parent[p] = q;
                        }
                    }
                }
            }
        }
        int[] root = new int[n];
        for (int p = 0; p < n; p++) {
            int r = p;
            while (parent[r] != r) { // (density, -index) rises strictly along links, so every path ends
                r = parent[r];
            }
            root[p] = r;
        }
        return SlicSegmentation.connectedSegments(root, 1);
    }

    private static double distance(float[] image, int py, int px, int y, int x, double colour) {
        double dy = py - y;
        double dx = px - x;
        double di = colour * (image[py * Pixels.SIDE + px] - image[y * Pixels.SIDE + x]);
        return dy * dy + dx * dx + di * di;
    }
}
