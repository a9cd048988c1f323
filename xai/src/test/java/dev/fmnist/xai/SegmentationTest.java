package dev.fmnist.xai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fmnist.common.Pixels;
import dev.fmnist.common.data.FashionMnist;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.runtime.scoring.TestModels;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SegmentationTest {
    static LabelledImages images;

    @BeforeAll
    static void images() {
        images = FashionMnist.load().test().head(20);
    }

    @Test
    void gridOfFourGivesFortyNineSegmentsOfSixteenPixels() {
        GridSegmentation grid = new GridSegmentation(4);
        Segments s = Segments.of(grid, new float[Pixels.COUNT]);
        assertThat(s.count()).isEqualTo(49).isEqualTo(grid.segmentCount());
        assertThat(s.sizes()).containsOnly(16);
        assertThat(s.ids()[0]).isEqualTo((short) 0);
        assertThat(s.ids()[3]).isEqualTo((short) 0);
        assertThat(s.ids()[4]).isEqualTo((short) 1);
        assertThat(s.ids()[4 * 28]).isEqualTo((short) 7);
        assertThat(s.ids()[783]).isEqualTo((short) 48);
        assertConnected(s);
    }

    @Test
    void gridsThatDoNotDivideTheImageLeaveNarrowerEdgeCells() {
        Segments five = Segments.of(new GridSegmentation(5), new float[Pixels.COUNT]);
        assertThat(five.count()).isEqualTo(36);
        assertThat(five.sizes()[0]).isEqualTo(25);
        assertThat(five.sizes()[35]).isEqualTo(9);
        assertThat(Segments.of(new GridSegmentation(1), new float[Pixels.COUNT]).count()).isEqualTo(784);
        assertThat(Segments.of(new GridSegmentation(28), new float[Pixels.COUNT]).count()).isEqualTo(1);
    }

    @Test
    void slicAssignsEveryPixelToOneConnectedSegmentWithContiguousIdsAndIsDeterministic() {
        SlicSegmentation slic = new SlicSegmentation(50, SlicSegmentation.DEFAULT_COMPACTNESS);
        int total = 0;
        for (int i = 0; i < images.size(); i++) {
            float[] image = TestModels.input(images, i, 1);
            short[] ids = slic.segment(image);
            Segments s = Segments.of(ids); // checks 784 ids, contiguous from 0, none empty
            assertConnected(s);
            assertThat(slic.segment(image)).containsExactly(ids);
            assertThat(slic.segment(image.clone())).containsExactly(ids);
            assertThat(s.count()).as("image " + i).isBetween(25, 100);
            total += s.count();
        }
        double mean = (double) total / images.size();
        System.out.printf("SLIC(50, %.2f): %.1f segments on average over %d test images%n",
                SlicSegmentation.DEFAULT_COMPACTNESS, mean, images.size());
        assertThat(mean).isBetween(35.0, 75.0);
    }

    @Test
    void quickshiftAssignsEveryPixelToOneConnectedSegmentAndIsDeterministic() {
        QuickshiftSegmentation qs = new QuickshiftSegmentation(1, 10, 0.2);
        int total = 0;
        for (int i = 0; i < images.size(); i++) {
            float[] image = TestModels.input(images, i, 1);
            short[] ids = qs.segment(image);
            Segments s = Segments.of(ids);
            assertConnected(s);
            assertThat(qs.segment(image.clone())).containsExactly(ids);
            total += s.count();
        }
        double mean = (double) total / images.size();
        System.out.printf("quickshift(1, 10, 0.2): %.1f segments on average over %d test images%n", mean, images.size());
        assertThat(mean).isBetween(10.0, 120.0);
        assertThat(mixedSegments(Segments.of(qs, TestModels.input(images, 0, 1)), TestModels.input(images, 0, 1)))
                .isLessThan(mixedSegments(Segments.of(new GridSegmentation(4), TestModels.input(images, 0, 1)),
                        TestModels.input(images, 0, 1)));
        assertThatThrownBy(() -> new QuickshiftSegmentation(0, 10, 0.2)).hasMessageContaining("kernel size");
        assertThatThrownBy(() -> new QuickshiftSegmentation(1, 0, 0.2)).hasMessageContaining("max distance");
        assertThatThrownBy(() -> new QuickshiftSegmentation(1, 10, 2)).hasMessageContaining("ratio must be 0..1");
    }

    @Test
    void slicFollowsTheGarmentEdgeWhileAGridCutsThroughIt() {
        float[] image = TestModels.input(images, 0, 1);
        Segments slic = Segments.of(new SlicSegmentation(49, 0.1), image);
        Segments grid = Segments.of(new GridSegmentation(4), image);
        // segments mixing background (0) and garment (> 0.2) pixels: fewer for SLIC than for the grid
        assertThat(mixedSegments(slic, image)).isLessThan(mixedSegments(grid, image));
    }

    @Test
    void slicSegmentsOfASyntheticImageNeverCrossItsEdgeWhichCutsThroughGridCells() {
        // a vertical edge between columns 9 and 10 (inside the grid's cells of columns 8..11), and a
        // diagonal one: dark (0.1) on one side, bright (0.9) on the other
        float[] vertical = new float[Pixels.COUNT];
        float[] diagonal = new float[Pixels.COUNT];
        for (int y = 0; y < Pixels.SIDE; y++) {
            for (int x = 0; x < Pixels.SIDE; x++) {
                vertical[y * Pixels.SIDE + x] = x >= 10 ? 0.9f : 0.1f;
                diagonal[y * Pixels.SIDE + x] = y > x + 3 ? 0.9f : 0.1f;
            }
        }
        for (float[] image : List.of(vertical, diagonal)) {
            for (double compactness : new double[] {0.1, 0.5}) {
                Segments slic = Segments.of(new SlicSegmentation(49, compactness), image);
                assertConnected(slic);
                assertThat(slic.count()).isBetween(25, 100);
                assertThat(sidesOfEdge(slic, image)).as("SLIC(49, %s) segments that straddle the edge", compactness)
                        .isZero();
            }
            Segments quickshift = Segments.of(new QuickshiftSegmentation(1, 10, 0.2), image);
            assertConnected(quickshift);
            assertThat(sidesOfEdge(quickshift, image)).as("quickshift segments that straddle the edge").isZero();
            // a flat region is one tree, not a segment per pixel
            assertThat(quickshift.count()).isLessThan(20);
            assertThat(sidesOfEdge(Segments.of(new GridSegmentation(4), image), image)).isPositive();
        }
    }

    /** Segments holding pixels of both sides of a two-level image. */
    private static int sidesOfEdge(Segments s, float[] image) {
        boolean[] dark = new boolean[s.count()];
        boolean[] bright = new boolean[s.count()];
        for (int p = 0; p < Pixels.COUNT; p++) {
            if (image[p] < 0.5f) {
                dark[s.ids()[p]] = true;
            } else {
                bright[s.ids()[p]] = true;
            }
        }
        int both = 0;
        for (int j = 0; j < s.count(); j++) {
            both += dark[j] && bright[j] ? 1 : 0;
        }
        return both;
    }

    @Test
    void slicOnABlankImageIsCloseToTheRequestedCount() {
        for (int k : new int[] {16, 49, 100}) {
            int count = Segments.of(new SlicSegmentation(k, 0.1), new float[Pixels.COUNT]).count();
            assertThat(count).as("k=" + k).isBetween((int) (k * 0.8), (int) (k * 1.25));
        }
        assertThat(Segments.of(new SlicSegmentation(1, 0.1), new float[Pixels.COUNT]).count()).isEqualTo(1);
    }

    @Test
    void badSettingsAreRefusedWithClearMessages() {
        assertThatThrownBy(() -> new GridSegmentation(0)).hasMessageContaining("grid cell size must be 1 to 28");
        assertThatThrownBy(() -> new GridSegmentation(29)).hasMessageContaining("got 29");
        assertThatThrownBy(() -> new SlicSegmentation(0, 0.1)).hasMessageContaining("SLIC segments must be 1 to 784");
        assertThatThrownBy(() -> new SlicSegmentation(50, -1)).hasMessageContaining("compactness");
        assertThatThrownBy(() -> new SlicSegmentation(50, Double.NaN)).hasMessageContaining("compactness");
        assertThatThrownBy(() -> Segmentation.of("quickshift", 4, 50, 0.1)).hasMessageContaining("'grid' or 'slic'");
        assertThat(Segmentation.of(" GRID ", 7, 50, 0.1)).isEqualTo(new GridSegmentation(7));
        assertThat(Segmentation.of("slic", 4, 30, 0.2)).isEqualTo(new SlicSegmentation(30, 0.2));
        assertThatThrownBy(() -> new GridSegmentation(4).segment(new float[10])).hasMessageContaining("784");
        assertThatThrownBy(() -> Segmentation.parse("quickshift")).hasMessageContaining("gridN, slicN, slicNcC or qsKdDrR");
        assertThatThrownBy(() -> Segmentation.parse("gridx")).hasMessageContaining("'gridx'");
        short[] gap = new short[Pixels.COUNT];
        gap[0] = 2;
        assertThatThrownBy(() -> Segments.of(gap)).hasMessageContaining("contiguous");
    }

    @Test
    void namesReadBackAsTheSameSegmentation() {
        for (Segmentation s : List.of(new GridSegmentation(4), new GridSegmentation(3), new SlicSegmentation(50, 0.5),
                new SlicSegmentation(30, 0.1), new SlicSegmentation(60, 1), new QuickshiftSegmentation(1.5, 10, 0.2))) {
            assertThat(Segmentation.parse(s.name())).isEqualTo(s);
        }
        assertThat(new GridSegmentation(4).name()).isEqualTo("grid4");
        assertThat(new SlicSegmentation(50, 0.5).name()).isEqualTo("slic50c0.5");
        assertThat(new SlicSegmentation(60, 1).name()).isEqualTo("slic60c1");
        assertThat(new QuickshiftSegmentation(1.5, 10, 0.2).name()).isEqualTo("qs1.5d10r0.2");
        assertThat(Segmentation.parse("slic50")).isEqualTo(new SlicSegmentation(50, SlicSegmentation.DEFAULT_COMPACTNESS));
    }

    private static int mixedSegments(Segments s, float[] image) {
        boolean[] background = new boolean[s.count()];
        boolean[] garment = new boolean[s.count()];
        for (int p = 0; p < Pixels.COUNT; p++) {
            if (image[p] == 0) {
                background[s.ids()[p]] = true;
            } else if (image[p] > 0.2f) {
                garment[s.ids()[p]] = true;
            }
        }
        int mixed = 0;
        for (int j = 0; j < s.count(); j++) {
            mixed += background[j] && garment[j] ? 1 : 0;
        }
        return mixed;
    }

    /** Every segment is one 4-connected region. */
    static void assertConnected(Segments s) {
        boolean[] reached = new boolean[Pixels.COUNT];
        boolean[] started = new boolean[s.count()];
        for (int start = 0; start < Pixels.COUNT; start++) {
            int id = s.ids()[start];
            if (started[id]) {
                continue;
            }
            started[id] = true;
            int size = 0;
            ArrayDeque<Integer> queue = new ArrayDeque<>();
            queue.add(start);
            reached[start] = true;
            while (!queue.isEmpty()) {
                int p = queue.poll();
                size++;
                int y = p / Pixels.SIDE;
                int x = p % Pixels.SIDE;
                for (int q : new int[] {x > 0 ? p - 1 : -1, x < 27 ? p + 1 : -1, y > 0 ? p - 28 : -1,
                    y < 27 ? p + 28 : -1}) {
                    if (q >= 0 && !reached[q] && s.ids()[q] == id) {
                        reached[q] = true;
                        queue.add(q);
                    }
                }
            }
            assertThat(size).as("segment " + id + " is connected").isEqualTo(s.sizes()[id]);
        }
        assertThat(Arrays.stream(s.sizes()).sum()).isEqualTo(Pixels.COUNT);
    }
}
