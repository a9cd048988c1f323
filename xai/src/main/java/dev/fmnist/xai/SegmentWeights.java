package dev.fmnist.xai;

/** The segment weights of one succeeded explanation (the input of method agreement). */
public record SegmentWeights(String model, int version, String method, float[] weights) {
}
