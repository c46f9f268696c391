package io.inflight.postgres.apply;

import java.time.Duration;
import java.util.Optional;

/**
 * How source transactions are grouped into target transactions. A target transaction is committed (with the
 * position) after the source transaction that reaches any bound, or when the stream has nothing more to give
 * right now. Bigger batches apply faster; {@code maxDelay} bounds the lag they add.
 *
 * @param maxTransactions source transactions per target transaction
 * @param maxChanges      row changes per target transaction (a single larger source transaction still
 *                        commits whole, in one target transaction, streamed through in bounded memory)
 * @param maxDelay        time from the first change of a batch to its commit
 * @param origin          a replication origin to mark the applied changes with, so that a stream in the other
 *                        direction can leave them out; empty for none
 */
public record ApplyOptions(int maxTransactions, long maxChanges, Duration maxDelay, Optional<String> origin) {

    public static final ApplyOptions DEFAULT = new ApplyOptions(10_000, 100_000, Duration.ofMillis(250),
            Optional.empty());

    public ApplyOptions {
        if (maxTransactions < 1 || maxChanges < 1 || maxDelay.isNegative()) {
            throw new IllegalArgumentException("batch bounds must be positive: " + maxTransactions + " transactions, "
                    + maxChanges + " changes, " + maxDelay);
        }
    }

    public ApplyOptions withOrigin(String name) {
        return new ApplyOptions(maxTransactions, maxChanges, maxDelay, Optional.of(name));
    }
}
