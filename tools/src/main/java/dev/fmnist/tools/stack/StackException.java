package dev.fmnist.tools.stack;

import java.util.List;

/** What failed and what to do: printed as {@code fmnist: ERROR: message} and the hint lines, indented. */
final class StackException extends RuntimeException {
    final List<String> hints;

    StackException(String message, String... hints) {
        super(message);
        this.hints = List.of(hints);
    }

    void print() {
        System.out.flush();
        System.err.println("fmnist: ERROR: " + getMessage());
        for (String line : hints) {
            for (String part : line.split("\n")) {
                System.err.println("        " + part);
            }
        }
    }
}
