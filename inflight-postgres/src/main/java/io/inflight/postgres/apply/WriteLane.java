package io.inflight.postgres.apply;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Where the applier's target work runs: in submission order, one piece at a time, on the one thread that owns
 * the target session. The threaded lane lets the stream gather and sort the next segment while the target
 * executes the previous one (without it the target sat idle, waiting on the client, a third of the time while
 * catching up). At most {@code depth} pieces wait, so memory stays bounded.
 *
 * <p>A piece that fails stops the lane: later pieces are dropped (their transaction cannot commit anyway) and
 * the failure is thrown to the submitting thread by its next call. Not thread-safe for submitters: one stream
 * feeds it.
 */
abstract class WriteLane implements AutoCloseable {

    /** Target work; throws the {@link InflightException} that explains its failure. */
    @FunctionalInterface
    interface Work {
        void run();
    }

    /** Runs each piece on the caller's thread, at once. */
    static WriteLane direct() {
        return new Direct();
    }

    /** Runs pieces on a thread of its own. */
    static WriteLane threaded(String name, int depth) {
        return new Threaded(name, depth);
    }

    /** Queues {@code work} (blocks while the lane is full); throws the failure of an earlier piece, if any. */
    abstract void submit(Work work);

    /** Waits until every submitted piece ran; throws the first failure, if any. */
    abstract void await();

    /** Waits for the running piece, drops the waiting ones and forgets a failure: for rollback. */
    abstract void reset();

    @Override
    public abstract void close();

    private static final class Direct extends WriteLane {
        @Override
        void submit(Work work) {
            work.run();
        }

        @Override
        void await() {
        }

        @Override
        void reset() {
        }

        @Override
        public void close() {
        }
    }

    private static final class Threaded extends WriteLane {
        private static final Work STOP = () -> { };

        private final BlockingQueue<Work> queue;
        private final Thread thread;
        private final Object lock = new Object();
        /** Pieces submitted and not yet finished (run, failed or dropped); guarded by {@code lock}. */
        private long pending;
        private RuntimeException failure;

        Threaded(String name, int depth) {
            this.queue = new ArrayBlockingQueue<>(depth);
            this.thread = new Thread(this::loop, name);
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            while (true) {
                Work work;
                try {
                    work = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (work == STOP) {
                    return;
                }
                RuntimeException error = null;
                boolean skip;
                synchronized (lock) {
                    skip = failure != null;
                }
                if (!skip) {
                    try {
                        work.run();
                    } catch (RuntimeException e) {
                        error = e;
                    } catch (OutOfMemoryError e) {
                        long heapMb = Runtime.getRuntime().maxMemory() >> 20;
                        error = new InflightException(ErrorCode.RESOURCE_EXHAUSTED, "the Java heap (" + heapMb
                                + " MB) is too small for the changes being applied to the target (" + e.getMessage()
                                + "). Rerun with a bigger heap, e.g. INFLIGHT_JAVA_OPTS=-Xmx" + 2 * heapMb
                                + "m (java -Xmx" + 2 * heapMb + "m -jar inflight.jar): the stream resumes from the"
                                + " last position the target committed", e);
                    } catch (Error e) {
                        error = new InflightException(ErrorCode.INTERNAL, "applying to the target failed: " + e, e);
                    }
                }
                synchronized (lock) {
                    if (error != null && failure == null) {
                        failure = error;
                    }
                    pending--;
                    lock.notifyAll();
                }
            }
        }

        @Override
        void submit(Work work) {
            throwFailure();
            synchronized (lock) {
                pending++;
            }
            try {
                queue.put(work);
            } catch (InterruptedException e) {
                synchronized (lock) {
                    pending--;
                }
                Thread.currentThread().interrupt();
                throw new InflightException(ErrorCode.INTERRUPTED, "interrupted while handing changes to the target");
            }
        }

        @Override
        void await() {
            synchronized (lock) {
                while (pending > 0) {
                    waitOnLock();
                }
            }
            throwFailure();
        }

        @Override
        void reset() {
            List<Work> dropped = new ArrayList<>();
            queue.drainTo(dropped);
            synchronized (lock) {
                pending -= dropped.size();
                while (pending > 0) {
                    waitOnLock();
                }
                failure = null;
            }
        }

        private void waitOnLock() {
            try {
                lock.wait(TimeUnit.SECONDS.toMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InflightException(ErrorCode.INTERRUPTED, "interrupted while waiting for the target");
            }
        }

        private void throwFailure() {
            RuntimeException f;
            synchronized (lock) {
                f = failure;
            }
            if (f != null) {
                throw f;
            }
        }

        @Override
        public void close() {
            queue.clear();
            if (!queue.offer(STOP)) {
                thread.interrupt();
            }
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
