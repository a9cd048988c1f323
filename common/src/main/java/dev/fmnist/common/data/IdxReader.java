package dev.fmnist.common.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX format of MNIST-style datasets (gzip-compressed or raw). Written by hand: the
 * format is a 4-byte magic, big-endian dimensions and raw uint8 data, and no maintained Java
 * library reads it without pulling a whole ML framework in.
 */
public final class IdxReader {
    /** Magic of an IDX file of unsigned bytes with 3 dimensions (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic of an IDX file of unsigned bytes with 1 dimension (labels). */
    public static final int LABELS_MAGIC = 0x00000801;
    /** Refuses headers that would need more memory than any real dataset of this kind. */
    static final long MAX_BYTES = 512L * 1024 * 1024;

    private IdxReader() {
    }

    /** Images of one IDX file: {@code count} images of {@code rows x cols} pixels, row-major. */
    public record Images(int count, int rows, int cols, byte[] pixels) {
        public int pixelsPerImage() {
            return rows * cols;
        }
    }

    public static Images readImages(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = readHeaderInt(in, file, "magic number");
            if (magic != IMAGES_MAGIC) {
                throw new IdxFormatException(file, String.format(
                        "wrong magic number 0x%08X, expected 0x%08X (IDX unsigned-byte images)", magic, IMAGES_MAGIC));
            }
            int count = readHeaderInt(in, file, "image count");
            int rows = readHeaderInt(in, file, "row count");
            int cols = readHeaderInt(in, file, "column count");
            if (count < 0 || rows <= 0 || cols <= 0) {
                throw new IdxFormatException(file, "invalid dimensions " + count + "x" + rows + "x" + cols);
            }
            long size = (long) count * rows * cols;
            if (size > MAX_BYTES) {
                throw new IdxFormatException(file, "header declares " + size + " bytes of pixels, more than the "
                        + MAX_BYTES + " this reader accepts; the file is corrupt or not Fashion-MNIST");
            }
            byte[] pixels = readBody(in, file, (int) size, count + " images of " + rows + "x" + cols);
            return new Images(count, rows, cols, pixels);
        } catch (IOException e) {
            throw new IdxFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    public static byte[] readLabels(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = readHeaderInt(in, file, "magic number");
            if (magic != LABELS_MAGIC) {
                throw new IdxFormatException(file, String.format(
                        "wrong magic number 0x%08X, expected 0x%08X (IDX unsigned-byte labels)", magic, LABELS_MAGIC));
            }
            int count = readHeaderInt(in, file, "label count");
            if (count < 0 || count > MAX_BYTES) {
                throw new IdxFormatException(file, "invalid label count " + count);
            }
            return readBody(in, file, count, count + " labels");
        } catch (IOException e) {
            throw new IdxFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw;
        try {
            raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new IdxFormatException(file, "file does not exist", e);
        }
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        try {
            InputStream in = gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
            return new DataInputStream(in);
        } catch (ZipException | EOFException e) {
            raw.close();
            throw new IdxFormatException(file, "corrupt gzip header: " + e.getMessage(), e);
        }
    }

    private static int readHeaderInt(DataInputStream in, Path file, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException(file, "truncated: the file ends inside the header (" + what + ")", e);
        } catch (ZipException e) {
            throw new IdxFormatException(file, "corrupt gzip data: " + e.getMessage(), e);
        }
    }

    private static byte[] readBody(DataInputStream in, Path file, int size, String declared) throws IOException {
        byte[] body = new byte[size];
        int read = 0;
        try {
            while (read < size) {
                int n = in.read(body, read, size - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
        } catch (EOFException e) {
            // a gzip stream cut short ends here instead of returning -1
        } catch (ZipException e) {
            throw new IdxFormatException(file, "corrupt gzip data after " + read + " bytes of data: " + e.getMessage(), e);
        }
        if (read < size) {
            throw new IdxFormatException(file, "truncated: header declares " + declared + " (" + size
                    + " bytes of data) but the file holds only " + read);
        }
        int extra = 0;
        try {
            extra = in.read();
        } catch (EOFException e) {
            extra = -1;
        }
        if (extra >= 0) {
            throw new IdxFormatException(file, "trailing data after the " + declared + " the header declares");
        }
        return body;
    }
}
