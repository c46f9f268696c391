package io.inflight.postgres.stream;

import io.inflight.core.Lsn;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Reads the slot on a thread of its own into a bounded queue, so that the source keeps decoding and sending
 * while the applier waits for the target, and the applier finds the next changes ready when it is done. The
 * queue is bounded by message count and by bytes: a burst of large rows cannot exhaust the heap.
 *
 * <p>Between messages the reader also queues the positions the source reports when it has nothing to send
 * ({@link Position}), in stream order, so the applier can record an idle source's position knowing that every
 * message before it has been handled.
 */
final class SlotReader implements AutoCloseable {

    /** What the reader hands over, in stream order. */
    sealed interface Item permits Message, Position, Failure {
    }

    record Message(PgOutputMessage message, int bytes) implements Item {
    }

    /** The source has sent everything up to {@code lsn} that concerns this stream. */
    record Position(Lsn lsn) implements Item {
    }

    /** Reading failed; the applier rethrows it. */
    record Failure(RuntimeException error) implements Item {
    }

    private static final long IDLE_SLEEP_MS = 1;

    private final SlotStream slot;
    private final BlockingQueue<Item> queue;
    private final Semaphore bytes;
    private final int maxBytes;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile boolean statusWanted;

    SlotReader(SlotStream slot, int maxMessages, int maxBytes) {
        this.slot = slot;
        this.queue = new ArrayBlockingQueue<>(maxMessages);
        this.maxBytes = maxBytes;
        this.bytes = new Semaphore(maxBytes);
        this.thread = new Thread(this::read, "inflight-slot-reader");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Has the reader thread (the only one that may write to the replication connection while it reads) send a
     * status update to the source now.
     */
    void requestStatus() {
        statusWanted = true;
    }

    /** The next item, waiting up to {@code timeoutMs}; null when none came. */
    Item poll(long timeoutMs) throws InterruptedException {
        Item item = queue.poll(timeoutMs, TimeUnit.MILLISECONDS);
        if (item instanceof Message m) {
            bytes.release(m.bytes());
        }
        return item;
    }

    private void read() {
        Lsn reported = Lsn.INVALID;
        try {
            while (!stopped) {
                if (statusWanted) {
                    statusWanted = false;
                    slot.sendStatus();
                }
                PgOutputMessage m = slot.poll();
                if (m != null) {
                    // A message bigger than the whole budget still goes through, alone.
                    int size = Math.min(slot.lastMessageBytes(), maxBytes);
                    while (!bytes.tryAcquire(size, 50, TimeUnit.MILLISECONDS)) {
                        if (stopped) {
                            return;
                        }
                    }
                    put(new Message(m, size));
                    continue;
                }
                Lsn received = slot.lastReceived();
                if (received.isAfter(reported)) {
                    reported = received;
                    put(new Position(received));
                }
                Thread.sleep(IDLE_SLEEP_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            try {
                put(new Failure(e));
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void put(Item item) throws InterruptedException {
        while (!queue.offer(item, 50, TimeUnit.MILLISECONDS)) {
            if (stopped) {
                return;
            }
        }
    }

    /** Stops reading and waits for the thread; the slot itself stays open for its owner to close. */
    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
