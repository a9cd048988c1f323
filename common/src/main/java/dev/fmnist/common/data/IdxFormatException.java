package dev.fmnist.common.data;

import java.nio.file.Path;

/** An IDX file that is missing, truncated or not what it claims to be. The message names the file. */
public class IdxFormatException extends RuntimeException {
    private final Path file;

    public IdxFormatException(Path file, String problem) {
        this(file, problem, null);
    }

    public IdxFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
