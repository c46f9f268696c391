package io.inflight.postgres.stream;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Lsn;
import java.util.ArrayList;
import java.util.List;
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
 *
 * <p>Items cross between the threads in chunks: handing over each message alone cost a lock, a semaphore
 * update and often a thread wake-up per message on both sides, a large share of the process's CPU while
 * catching up, CPU the source's walsender and the target's backend on the same machine wanted. A chunk goes
 * out when it is full, when it has waited {@value #CHUNK_MAX_AGE_MS} ms, and whenever the source has nothing
 * more ready, so a quiet stream's changes are not held back.
 */
final class SlotReader implements AutoCloseable {

    /** What the reader hands over, in stream order. */
    sealed interface Item permits Message, Position, Failure {
    }

    record Message(PgOutputMessage message) implements Item {
    }

    /** The source has sent everything up to {@code lsn} that concerns this stream. */
    record Position(Lsn lsn) implements Item {
    }

    /** Reading failed; the applier rethrows it. */
    record Failure(RuntimeException error) implements Item {
    }

    private static final long IDLE_SLEEP_MS = 1;
    static final int CHUNK_MESSAGES = 128;
    static final long CHUNK_MAX_AGE_MS = 2;
    /** A power of two: the chunk's age is looked at once per this many items (the clock is slow to read). */
    private static final int AGE_CHECK_EVERY = 16;

    /** Items in stream order, and the bytes their messages hold. */
    private record Chunk(List<Item> items, int bytes) {
    }

    private final SlotStream slot;
    /** Chunks of items, in stream order; bounded, like the bytes they hold. */
    private final BlockingQueue<Chunk> queue;
    /** Bytes of the messages queued and not yet taken by the applier. */
    private final Semaphore bytes;
    private final int maxBytes;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile boolean statusWanted;

    // reader thread only
    private long statusSentNanos = System.nanoTime();
    private int messagesSinceClock = AGE_CHECK_EVERY;
    private List<Item> chunk = new ArrayList<>(CHUNK_MESSAGES);
    private int chunkBytes;
    private long chunkStartedNanos;

    // applier thread only
    private List<Item> taken = List.of();
    private int next;

    SlotReader(SlotStream slot, int maxMessages, int maxBytes) {
        this.slot = slot;
        this.queue = new ArrayBlockingQueue<>(Math.max(2, maxMessages / CHUNK_MESSAGES));
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
        if (next == taken.size()) {
            Chunk c = queue.poll(timeoutMs, TimeUnit.MILLISECONDS);
            if (c == null) {
                return null;
            }
            taken = c.items();
            next = 0;
            if (c.bytes() > 0) {
                bytes.release(c.bytes());
            }
        }
        Item item = taken.get(next);
        taken.set(next++, null); // handled items need not stay reachable until the chunk is done
        return item;
    }

    private void read() {
        Lsn reported = Lsn.INVALID;
        try {
            while (!stopped) {
                sendStatusIfDue();
                if (bytes.availablePermits() == 0) {
                    handOver();
                    if (!awaitEmptyQueue()) {
                        return;
                    }
                }
                PgOutputMessage m = slot.poll();
                if (m != null) {
                    // A message bigger than the whole budget still goes through, alone: the next one is read
                    // only once the applier has taken it (above), so two huge rows never sit in the heap at once
                    // on this side.
                    int size = Math.min(slot.lastMessageBytes(), maxBytes);
                    if (!bytes.tryAcquire(size)) {
                        handOver(); // the applier gives bytes back only for what it was handed
                        while (!bytes.tryAcquire(size, 50, TimeUnit.MILLISECONDS)) {
                            if (stopped) {
                                return;
                            }
                        }
                    }
                    chunkBytes += size;
                    add(new Message(m));
                    messagesSinceClock++;
                    continue;
                }
                Lsn received = slot.lastReceived();
                if (received.isAfter(reported)) {
                    reported = received;
                    add(new Position(received));
                }
                handOver();
                messagesSinceClock = AGE_CHECK_EVERY; // idle: the next round looks at the clock
                Thread.sleep(IDLE_SLEEP_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            fail(e);
        } catch (OutOfMemoryError e) {
            // Without this the thread would die alone and the applier wait for ever. The message that did not
            // fit is unreachable by now, so there is room to say so.
            fail(new InflightException(ErrorCode.RESOURCE_EXHAUSTED, "the Java heap is too small for a change of "
                    + slot.lastMessageBytes() / (1 << 20) + " MB read from the slot after the source position "
                    + slot.lastReceived() + " (" + e.getMessage() + "). Rerun with a bigger heap, e.g."
                    + " INFLIGHT_JAVA_OPTS=-Xmx" + suggestedHeapMb() + "m (java -Xmx" + suggestedHeapMb()
                    + "m -jar inflight.jar): the stream resumes from the last position the target committed"));
        }
    }

    /**
     * Sends a status update when asked to, and every {@value SlotStream#STATUS_INTERVAL_MS} ms: it carries the
     * confirmed position to the source. The clock is read once per {@value #AGE_CHECK_EVERY} messages, or when
     * the stream is idle.
     */
    private void sendStatusIfDue() {
        if (statusWanted) {
            statusWanted = false;
            statusSentNanos = System.nanoTime();
            slot.sendStatus();
            return;
        }
        if (messagesSinceClock < AGE_CHECK_EVERY) {
            return;
        }
        messagesSinceClock = 0;
        long now = System.nanoTime();
        if (now - statusSentNanos >= TimeUnit.MILLISECONDS.toNanos(SlotStream.STATUS_INTERVAL_MS)) {
            statusSentNanos = now;
            slot.sendStatus();
        }
    }

    /** About three times the largest message: the message, its decoded values, and the one being applied. */
    private long suggestedHeapMb() {
        long heapMb = Runtime.getRuntime().maxMemory() >> 20;
        long needMb = 3L * Math.max(1, slot.lastMessageBytes() >> 20) + 128;
        return Math.max(2 * heapMb, needMb);
    }

    private void fail(RuntimeException e) {
        try {
            add(new Failure(e));
            handOver();
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }

    private void add(Item item) throws InterruptedException {
        if (chunk.isEmpty()) {
            chunkStartedNanos = System.nanoTime();
        }
        chunk.add(item);
        if (chunk.size() >= CHUNK_MESSAGES || (chunk.size() & (AGE_CHECK_EVERY - 1)) == 0
                && System.nanoTime() - chunkStartedNanos >= TimeUnit.MILLISECONDS.toNanos(CHUNK_MAX_AGE_MS)) {
            handOver();
        }
    }

    /** Queues the chunk being filled, if any. */
    private void handOver() throws InterruptedException {
        if (!chunk.isEmpty()) {
            Chunk full = new Chunk(chunk, chunkBytes);
            chunk = new ArrayList<>(CHUNK_MESSAGES);
            chunkBytes = 0;
            put(full);
        }
    }

    /** Waits until the applier has taken every queued message; false when stopped meanwhile. */
    private boolean awaitEmptyQueue() throws InterruptedException {
        while (!bytes.tryAcquire(maxBytes, 50, TimeUnit.MILLISECONDS)) {
            if (stopped) {
                return false;
            }
        }
        bytes.release(maxBytes);
        return true;
    }

    private void put(Chunk items) throws InterruptedException {
        while (!queue.offer(items, 50, TimeUnit.MILLISECONDS)) {
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
