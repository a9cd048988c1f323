package dev.fmnist.xai;

/**
 * The segment weights of one succeeded explanation (the input of method agreement), with the output
 * space they are in ({@link OutputSpace#column()}, or {@code margin} for TreeSHAP rows stored before
 * output spaces existed).
 */
public record SegmentWeights(String model, int version, String method, float[] weights, String outputSpace) {
}
