package io.inflight.cli;

/** Entry point of the {@code inflight} command. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.err.println("inflight: the command line is being assembled");
        System.exit(2);
    }
}
