package io.inflight.cli;

import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.postgres.apply.ApplyOptions;
import io.inflight.postgres.stream.StreamOptions;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How the stream batches, waits and warns; shared by {@code stream} and {@code run}. */
final class StreamSettings {

    @Option(names = "--batch-transactions", paramLabel = "N", defaultValue = "10000",
            description = "Source transactions per target transaction at most (default: ${DEFAULT-VALUE}).")
    int batchTransactions;

    @Option(names = "--batch-changes", paramLabel = "N", defaultValue = "100000",
            description = "Row changes per target transaction at most; a bigger source transaction still commits"
                    + " whole (default: ${DEFAULT-VALUE}).")
    long batchChanges;

    @Option(names = "--batch-delay", paramLabel = "MS", defaultValue = "250",
            description = "Milliseconds from a batch's first change to its commit at most (default: ${DEFAULT-VALUE}).")
    long batchDelayMs;

    @Mixin
    ReconnectOption reconnect = new ReconnectOption();

    @Option(names = "--max-retained-wal", paramLabel = "SIZE", defaultValue = "10GB",
            description = "Warn when the slot holds back more WAL on the source than this (default: ${DEFAULT-VALUE}).")
    String maxRetainedWal;

    @Option(names = "--until-caught-up",
            description = "Stop once everything the source had written when the stream started is applied.")
    boolean untilCaughtUp;

    StreamOptions options(Endpoint source, Endpoint target, int copyJobs) {
        ApplyOptions apply = new ApplyOptions(batchTransactions, batchChanges, Duration.ofMillis(batchDelayMs),
                Optional.empty());
        return new StreamOptions(source, target, apply, reconnect.duration(), bytes(maxRetainedWal),
                Optional.empty(), Set.of(), copyJobs);
    }

    /** {@code 512MB}, {@code 10GB}, {@code 1TB} or plain bytes. */
    static long bytes(String size) {
        String s = size.strip().toUpperCase(Locale.ROOT);
        long unit = 1;
        for (String[] u : new String[][] {{"TB", "40"}, {"GB", "30"}, {"MB", "20"}, {"KB", "10"}, {"B", "0"}}) {
            if (s.endsWith(u[0])) {
                unit = 1L << Integer.parseInt(u[1]);
                s = s.substring(0, s.length() - u[0].length()).strip();
                break;
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(s), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "--max-retained-wal '" + size + "' is not a"
                    + " size; write e.g. 512MB or 10GB");
        }
    }
}
