package dev.fmnist.common.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    static byte[] imagesIdx(int magic, int count, int rows, int cols) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int i = 0; i < count * rows * cols; i++) {
            out.writeByte(i % 251);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(raw);
        }
        return bytes.toByteArray();
    }

    @Test
    void readsRawAndGzipImages() throws IOException {
        byte[] raw = imagesIdx(IdxReader.IMAGES_MAGIC, 3, 28, 28);
        Path plain = Files.write(dir.resolve("images-idx3-ubyte"), raw);
        Path gz = Files.write(dir.resolve("images-idx3-ubyte.gz"), gzip(raw));

        for (Path file : new Path[] {plain, gz}) {
            IdxReader.Images images = IdxReader.readImages(file);
            assertThat(images.count()).isEqualTo(3);
            assertThat(images.rows()).isEqualTo(28);
            assertThat(images.pixels()).hasSize(3 * 784);
            assertThat(images.pixels()[300] & 0xFF).isEqualTo(300 % 251);
        }
    }

    @Test
    void truncatedFileNamesTheFileAndTheShortfall() throws IOException {
        byte[] raw = imagesIdx(IdxReader.IMAGES_MAGIC, 3, 28, 28);
        Path cut = Files.write(dir.resolve("cut-idx3-ubyte.gz"), gzip(Arrays.copyOf(raw, raw.length - 100)));

        assertThatThrownBy(() -> IdxReader.readImages(cut))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining(cut.toString())
                .hasMessageContaining("truncated")
                .hasMessageContaining("3 images of 28x28")
                .hasMessageContaining("holds only " + (3 * 784 - 100));
    }

    @Test
    void gzipCutInTheMiddleOfTheStreamIsReportedAsTruncated() throws IOException {
        byte[] gz = gzip(imagesIdx(IdxReader.IMAGES_MAGIC, 50, 28, 28));
        Path cut = Files.write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));

        assertThatThrownBy(() -> IdxReader.readImages(cut))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(cut.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void wrongMagicNumberIsReported() throws IOException {
        Path labelsAsImages = Files.write(dir.resolve("wrong-magic"), imagesIdx(IdxReader.LABELS_MAGIC, 1, 28, 28));

        assertThatThrownBy(() -> IdxReader.readImages(labelsAsImages))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining(labelsAsImages.toString())
                .hasMessageContaining("wrong magic number 0x00000801, expected 0x00000803");
        assertThatThrownBy(() -> IdxReader.readLabels(Files.write(dir.resolve("x"), imagesIdx(IdxReader.IMAGES_MAGIC, 1, 1, 1))))
                .hasMessageContaining("wrong magic number 0x00000803, expected 0x00000801");
    }

    @Test
    void headerThatDeclaresAHugeBodyIsRefusedBeforeAllocating() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxReader.IMAGES_MAGIC);
        out.writeInt(2_000_000_000);
        out.writeInt(28);
        out.writeInt(28);
        Path huge = Files.write(dir.resolve("huge"), bytes.toByteArray());

        assertThatThrownBy(() -> IdxReader.readImages(huge))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("corrupt or not Fashion-MNIST");
    }

    @Test
    void trailingDataAndMissingFilesAreReported() throws IOException {
        byte[] raw = imagesIdx(IdxReader.IMAGES_MAGIC, 1, 2, 2);
        Path extra = Files.write(dir.resolve("extra"), Arrays.copyOf(raw, raw.length + 1));
        assertThatThrownBy(() -> IdxReader.readImages(extra)).hasMessageContaining("trailing data");
        assertThatThrownBy(() -> IdxReader.readImages(dir.resolve("absent.gz")))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void labelsOutsideTheClassRangeAreRejectedByTheDatasetLoader() throws IOException {
        Files.write(dir.resolve(DatasetFile.TRAIN_IMAGES.fileName()), gzip(imagesIdx(IdxReader.IMAGES_MAGIC, 2, 28, 28)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxReader.LABELS_MAGIC);
        out.writeInt(2);
        out.writeByte(3);
        out.writeByte(12);
        Files.write(dir.resolve(DatasetFile.TRAIN_LABELS.fileName()), gzip(bytes.toByteArray()));

        assertThatThrownBy(() -> FashionMnist.loadSplit(dir, DatasetFile.TRAIN_IMAGES, DatasetFile.TRAIN_LABELS))
                .isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("label 12 at index 1");
    }
}
