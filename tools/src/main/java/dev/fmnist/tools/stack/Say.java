package dev.fmnist.tools.stack;

/** The {@code fmnist: ...} lines of the stack commands. */
final class Say {
    private Say() {
    }

    static void say(String line) {
        System.out.println("fmnist: " + line);
        System.out.flush();
    }
}
