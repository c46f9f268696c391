package io.inflight.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./bench}: one subcommand per benchmark, each writing its section of BENCHMARKS.md. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {CloneBenchmark.class, StreamBenchmark.class, CutoverBenchmark.class},
        description = "Benchmarks Inflight side by side with the reference tools.")
public final class BenchMain implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }
}
