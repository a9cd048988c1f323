package dev.fmnist.trainer.report;

import dev.fmnist.common.FashionClass;
import dev.fmnist.common.data.LabelledImages;
import dev.fmnist.trainer.domain.EpochMetrics;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's bar, line and scatter charts, made with JFreeChart 1.5 and written as PNG. */
final class ChartPlots {

    static final int DISTRIBUTION_WIDTH = 1000;
    static final int DISTRIBUTION_HEIGHT = 560;
    static final int EPOCHS_WIDTH = 900;
    static final int EPOCHS_HEIGHT = 720;
    static final int EMBEDDING_WIDTH = 960;
    static final int EMBEDDING_HEIGHT = 780;

    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Color GRID = new Color(0xdddddd);

    private ChartPlots() {
    }

    static ChartLayout classDistribution(LabelledImages train, LabelledImages test, Path out) {
        int[] trainCounts = train.classCounts();
        int[] testCounts = test.classCounts();
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        String trainKey = String.format(Locale.ROOT, "train (%,d images)", train.size());
        String testKey = String.format(Locale.ROOT, "test (%,d images)", test.size());
        for (FashionClass c : FashionClass.values()) {
            data.addValue(trainCounts[c.label()], trainKey, c.displayName());
            data.addValue(testCounts[c.label()], testKey, c.displayName());
        }
        CategoryAxis x = new CategoryAxis("class");
        x.setCategoryMargin(0.25);
        x.setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        x.setMaximumCategoryLabelLines(2);
        NumberAxis y = new NumberAxis("images");
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        y.setUpperMargin(0.1);
        BarRenderer bars = new BarRenderer();
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        bars.setDrawBarOutline(false);
        bars.setItemMargin(0.05);
        bars.setSeriesPaint(0, ColorScales.SERIES_1);
        bars.setSeriesPaint(1, ColorScales.SERIES_2);
        bars.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}",
                java.text.NumberFormat.getIntegerInstance(Locale.ROOT)));
        bars.setDefaultItemLabelsVisible(true);
        bars.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        CategoryPlot plot = new CategoryPlot(data, x, y, bars);
        plot.setOrientation(PlotOrientation.VERTICAL);
        style(plot);
        JFreeChart chart = chart("Fashion-MNIST: images per class", plot, RectangleEdge.TOP);
        return write(chart, DISTRIBUTION_WIDTH, DISTRIBUTION_HEIGHT, out);
    }

    static ChartLayout accuracyPerEpoch(String modelName, List<EpochMetrics> epochs, Path out) {
        XYSeries trainAcc = new XYSeries("train");
        XYSeries valAcc = new XYSeries("validation");
        XYSeries trainLoss = new XYSeries("train");
        XYSeries valLoss = new XYSeries("validation");
        for (EpochMetrics e : epochs) {
            addFinite(trainAcc, e.epoch(), 100 * e.trainAccuracy());
            addFinite(valAcc, e.epoch(), 100 * e.validationAccuracy());
            addFinite(trainLoss, e.epoch(), e.trainLoss());
            addFinite(valLoss, e.epoch(), e.validationLoss());
        }
        NumberAxis epochAxis = new NumberAxis("epoch");
        epochAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        epochAxis.setAutoRangeIncludesZero(false);
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(epochAxis);
        combined.setGap(16);
        combined.add(linePlot("accuracy (%)", trainAcc, valAcc), 1);
        if (trainLoss.getItemCount() + valLoss.getItemCount() > 0) { // e.g. XGBoost rounds may have no loss
            XYPlot lossPlot = linePlot("loss", trainLoss, valLoss);
            lossPlot.getRenderer().setDefaultSeriesVisibleInLegend(false); // same series as above: one legend
            combined.add(lossPlot, 1);
        }
        String what = combined.getSubplots().size() > 1 ? "accuracy and loss" : "accuracy";
        JFreeChart chart = chart(modelName + ": " + what + " per epoch", combined, RectangleEdge.TOP);
        return write(chart, EPOCHS_WIDTH, EPOCHS_HEIGHT, out);
    }

    static ChartLayout embedding(Embedding2d embedding, String title, Path out) {
        XYSeriesCollection data = new XYSeriesCollection();
        int[] counts = embedding.classCounts();
        XYSeries[] series = new XYSeries[FashionClass.COUNT];
        for (FashionClass c : FashionClass.values()) {
            series[c.label()] = new XYSeries(c.displayName() + " (" + counts[c.label()] + ")", false, true);
        }
        for (int i = 0; i < embedding.size(); i++) {
            series[embedding.labels()[i]].add(embedding.coordinates()[i][0], embedding.coordinates()[i][1]);
        }
        for (XYSeries s : series) {
            data.addSeries(s);
        }
        XYLineAndShapeRenderer dots = new XYLineAndShapeRenderer(false, true);
        Ellipse2D.Double dot = new Ellipse2D.Double(-2.5, -2.5, 5, 5);
        for (int c = 0; c < FashionClass.COUNT; c++) {
            dots.setSeriesPaint(c, ColorScales.CLASS_COLORS[c]);
            dots.setSeriesShape(c, dot);
        }
        NumberAxis x = new NumberAxis(embedding.method().displayName() + " 1");
        NumberAxis y = new NumberAxis(embedding.method().displayName() + " 2");
        x.setAutoRangeIncludesZero(false);
        y.setAutoRangeIncludesZero(false);
        XYPlot plot = new XYPlot(data, x, y, dots);
        style(plot);
        JFreeChart chart = chart(title, plot, RectangleEdge.RIGHT);
        return write(chart, EMBEDDING_WIDTH, EMBEDDING_HEIGHT, out);
    }

    private static XYPlot linePlot(String yLabel, XYSeries train, XYSeries validation) {
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(train);
        if (validation.getItemCount() > 0) { // a refit has no validation set: no empty series in the legend
            data.addSeries(validation);
        }
        NumberAxis y = new NumberAxis(yLabel);
        y.setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, true);
        lines.setSeriesPaint(0, ColorScales.SERIES_1);
        lines.setSeriesPaint(1, ColorScales.SERIES_2);
        BasicStroke stroke = new BasicStroke(2.2f);
        lines.setSeriesStroke(0, stroke);
        lines.setSeriesStroke(1, stroke);
        Ellipse2D.Double dot = new Ellipse2D.Double(-3, -3, 6, 6);
        lines.setSeriesShape(0, dot);
        lines.setSeriesShape(1, dot);
        XYPlot plot = new XYPlot(data, null, y, lines);
        style(plot);
        return plot;
    }

    private static void addFinite(XYSeries s, int x, double y) {
        if (Double.isFinite(y)) {
            s.add(x, y);
        }
    }

    private static void style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setOutlinePaint(Color.GRAY);
    }

    private static void style(CategoryPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(GRID);
        plot.setOutlinePaint(Color.GRAY);
    }

    private static JFreeChart chart(String title, org.jfree.chart.plot.Plot plot, RectangleEdge legendEdge) {
        JFreeChart chart = new JFreeChart(title, TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        TextTitle t = chart.getTitle();
        t.setPadding(8, 8, 4, 8);
        LegendTitle legend = chart.getLegend();
        legend.setPosition(legendEdge);
        legend.setFrame(BlockBorder.NONE);
        legend.setItemFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        return chart;
    }

    /** Draws the chart into an image, writes it as PNG and returns where its data areas are. */
    private static ChartLayout write(JFreeChart chart, int width, int height, Path out) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        ChartRenderingInfo info = new ChartRenderingInfo();
        chart.draw(g, new Rectangle2D.Double(0, 0, width, height), info);
        g.dispose();
        ImagePlots.write(img, out);
        PlotRenderingInfo plotInfo = info.getPlotInfo();
        List<Rectangle> areas = new ArrayList<>();
        if (plotInfo.getSubplotCount() > 0) {
            for (int i = 0; i < plotInfo.getSubplotCount(); i++) {
                areas.add(plotInfo.getSubplotInfo(i).getDataArea().getBounds());
            }
        } else {
            areas.add(plotInfo.getDataArea().getBounds());
        }
        return new ChartLayout(List.copyOf(areas));
    }
}
