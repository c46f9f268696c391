package io.inflight.postgres.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WriteLaneTest {

    @Test
    void runsPiecesInSubmissionOrderOnItsOwnThread() {
        List<String> ran = new CopyOnWriteArrayList<>();
        try (WriteLane lane = WriteLane.threaded("test-lane", 1)) {
            for (int i = 0; i < 200; i++) {
                int n = i;
                lane.submit(() -> ran.add(n + "@" + Thread.currentThread().getName()));
            }
            lane.await();
        }
        assertThat(ran).hasSize(200);
        for (int i = 0; i < 200; i++) {
            assertThat(ran.get(i)).isEqualTo(i + "@test-lane");
        }
    }

    @Test
    void aFailureDropsTheLaterPiecesAndReachesTheSubmitter() {
        List<Integer> ran = new CopyOnWriteArrayList<>();
        try (WriteLane lane = WriteLane.threaded("test-lane", 4)) {
            lane.submit(() -> ran.add(1));
            lane.submit(() -> {
                throw new InflightException(ErrorCode.DATA_CONFLICT, "row 2 conflicts");
            });
            try {
                lane.submit(() -> ran.add(3));
            } catch (InflightException alreadyFailed) {
                // the failure may surface on this submit already
            }
            assertThatThrownBy(lane::await).isInstanceOf(InflightException.class).hasMessage("row 2 conflicts");
            assertThatThrownBy(() -> lane.submit(() -> ran.add(4))).hasMessage("row 2 conflicts");
            assertThat(ran).containsExactly(1);

            lane.reset();
            lane.submit(() -> ran.add(5));
            lane.await();
            assertThat(ran).containsExactly(1, 5);
        }
    }

    @Test
    void submitBlocksWhileTheLaneIsFull() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch thirdSubmitted = new CountDownLatch(1);
        try (WriteLane lane = WriteLane.threaded("test-lane", 1)) {
            lane.submit(() -> await(release));   // running
            Thread submitter = new Thread(() -> {
                lane.submit(() -> { });          // waiting in the queue
                lane.submit(() -> { });          // must block: depth 1
                thirdSubmitted.countDown();
            });
            submitter.start();
            assertThat(thirdSubmitted.await(300, TimeUnit.MILLISECONDS)).isFalse();
            release.countDown();
            assertThat(thirdSubmitted.await(5, TimeUnit.SECONDS)).isTrue();
            submitter.join();
            lane.await();
        }
    }

    @Test
    void theDirectLaneRunsAtOnceOnTheCaller() {
        List<String> ran = new CopyOnWriteArrayList<>();
        try (WriteLane lane = WriteLane.direct()) {
            lane.submit(() -> ran.add(Thread.currentThread().getName()));
            assertThat(ran).containsExactly(Thread.currentThread().getName());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
