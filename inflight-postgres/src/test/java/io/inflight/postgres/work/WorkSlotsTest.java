package io.inflight.postgres.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WorkSlotsTest {

    @Test
    void neverHandsOutMoreSlotsThanItHas() throws Exception {
        WorkSlots slots = new WorkSlots(2);
        WorkSlots.Slot a = slots.acquire(WorkSlots.Kind.COPY);
        WorkSlots.Slot b = slots.acquire(WorkSlots.Kind.COPY);
        CountDownLatch got = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try (WorkSlots.Slot c = slots.acquire(WorkSlots.Kind.COPY)) {
                got.countDown();
            }
        });
        t.start();
        assertThat(got.await(200, TimeUnit.MILLISECONDS)).as("a third slot out of two").isFalse();
        a.close();
        a.close(); // closing twice gives back one slot only
        assertThat(got.await(5, TimeUnit.SECONDS)).isTrue();
        t.join();
        b.close();
    }

    @Test
    void postDataWaitsUntilNoCopyTaskIsLeftToStartThenTakesTheSlotsTheCopyFrees() throws Exception {
        WorkSlots slots = new WorkSlots(2);
        WorkSlots.Slot copying = slots.acquire(WorkSlots.Kind.COPY);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        Thread post = waiter(slots, WorkSlots.Kind.POST_DATA, order);
        waitUntilBlocked(post);
        assertThat(order).as("a slot is free, but copy tasks are still queued").isEmpty();

        slots.copyDrained();
        post.join(5000);
        assertThat(order).containsExactly("POST_DATA");
        copying.close();
    }

    @Test
    void aCopyTaskWaitingForASlotGoesBeforePostData() throws Exception {
        WorkSlots slots = new WorkSlots(1);
        WorkSlots.Slot held = slots.acquire(WorkSlots.Kind.COPY);
        slots.copyDrained();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        Thread copy = waiter(slots, WorkSlots.Kind.COPY, order);
        waitUntilBlocked(copy);
        Thread post = waiter(slots, WorkSlots.Kind.POST_DATA, order);
        waitUntilBlocked(post);

        held.close();
        copy.join(5000);
        post.join(5000);
        assertThat(order).containsExactly("COPY", "POST_DATA");
    }

    @Test
    void cancellingReleasesWaitersWithTheReason() throws Exception {
        WorkSlots slots = new WorkSlots(1);
        WorkSlots.Slot held = slots.acquire(WorkSlots.Kind.COPY);
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        Thread t = new Thread(() -> {
            try {
                slots.acquire(WorkSlots.Kind.COPY).close();
            } catch (InflightException e) {
                errors.add(e);
            }
        });
        t.start();
        waitUntilBlocked(t);
        slots.cancel("the post-data failed");
        t.join(5000);
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(((InflightException) e).code()).isEqualTo(ErrorCode.INTERRUPTED);
            assertThat(e).hasMessageContaining("the post-data failed");
        });
        held.close();
        assertThatThrownBy(() -> slots.acquire(WorkSlots.Kind.POST_DATA)).isInstanceOf(InflightException.class);
    }

    private static Thread waiter(WorkSlots slots, WorkSlots.Kind kind, List<String> order) {
        Thread t = new Thread(() -> {
            try (WorkSlots.Slot s = slots.acquire(kind)) {
                order.add(kind.name());
            }
        });
        t.start();
        return t;
    }

    private static void waitUntilBlocked(Thread t) throws InterruptedException {
        while (t.getState() != Thread.State.WAITING) {
            Thread.sleep(5);
        }
    }
}
