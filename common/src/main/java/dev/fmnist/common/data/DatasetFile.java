package dev.fmnist.common.data;

/**
 * The four files of Fashion-MNIST with the SHA-256 of their uncompressed content. The digest is of
 * the IDX payload, not the .gz file, because redistributors (Debian among them) recompress the
 * same data and the compressed bytes then differ.
 */
public enum DatasetFile {
    TRAIN_IMAGES("train-images-idx3-ubyte.gz", 47_040_016,
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
    TRAIN_LABELS("train-labels-idx1-ubyte.gz", 60_008,
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
    TEST_IMAGES("t10k-images-idx3-ubyte.gz", 7_840_016,
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
    TEST_LABELS("t10k-labels-idx1-ubyte.gz", 10_008,
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");

    private final String fileName;
    private final long uncompressedSize;
    private final String uncompressedSha256;

    DatasetFile(String fileName, long uncompressedSize, String uncompressedSha256) {
        this.fileName = fileName;
        this.uncompressedSize = uncompressedSize;
        this.uncompressedSha256 = uncompressedSha256;
    }

    public String fileName() {
        return fileName;
    }

    public long uncompressedSize() {
        return uncompressedSize;
    }

    public String uncompressedSha256() {
        return uncompressedSha256;
    }
}
