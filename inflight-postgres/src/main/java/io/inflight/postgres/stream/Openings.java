package io.inflight.postgres.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Connections a stream session opens side by side, each on a short-lived thread of its own. Each costs a few round
 * trips (and under load tens of milliseconds); opened one after the other they delayed the start of the stream by
 * seconds.
 *
 * <p>Either the owner takes over everything that opened ({@link #keep}), or {@link #close} closes every resource
 * that opened, including one that finishes opening only after another one failed: it waits for each opening to
 * end first, so nothing is left open once it returns. One owner thread calls it; the openers run on its threads.
 */
final class Openings implements AutoCloseable {

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "inflight-open");
        t.setDaemon(true);
        return t;
    });
    private final List<Pending<?>> pending = new ArrayList<>();
    private boolean kept;

    /** Starts opening a resource; {@code closer} releases it if the owner does not {@link #keep} it. */
    <T> CompletableFuture<T> open(Supplier<T> opener, Consumer<? super T> closer) {
        CompletableFuture<T> f = CompletableFuture.supplyAsync(opener, threads);
        pending.add(new Pending<>(f, closer));
        return f;
    }

    /** Starts work that holds nothing open once it has its result (a lookup on a connection of its own). */
    <T> CompletableFuture<T> run(Supplier<T> work) {
        return open(work, value -> { });
    }

    /** Waits for a result; a failure comes out as the opener threw it. */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** Everything opened so far belongs to the owner now: {@link #close} leaves it open. */
    void keep() {
        kept = true;
    }

    @Override
    public void close() {
        threads.shutdown();
        if (kept) {
            return;
        }
        // A connection still being opened is closed as soon as it opens; wait for that, so none outlives us.
        pending.stream().map(Pending::release).toList().forEach(CompletableFuture::join);
    }

    private record Pending<T>(CompletableFuture<T> opening, Consumer<? super T> closer) {

        /** Closes the resource once it is open (at once if it is); completes when that is done or it failed. */
        CompletableFuture<Void> release() {
            return opening.handle((value, failure) -> {
                if (value != null) {
                    try {
                        closer.accept(value);
                    } catch (RuntimeException ignored) {
                        // the server ends the session with the socket anyway
                    }
                }
                return null;
            });
        }
    }
}
