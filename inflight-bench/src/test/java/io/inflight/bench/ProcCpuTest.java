package io.inflight.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ProcCpuTest {

    @Test
    void parsesTheTimesAfterTheCommandName() {
        ProcCpu.Stat s = ProcCpu.Stat.parse("4242 (postgres) S 4100 4100 4100 0 -1 4194560 3066 0 0 0 "
                + "1234 567 89 10 20 0 1 0 1770 225992704 4000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0");
        assertThat(s).isEqualTo(new ProcCpu.Stat(4242, 4100, 1234, 567, 89, 10));
        assertThat(s.own()).isEqualTo(1801);
        assertThat(s.reaped()).isEqualTo(99);
        assertThat(s.withReaped()).isEqualTo(1900);
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        // a process may name itself anything: here "a) S 1 2 (b", which ends in what looks like further fields
        ProcCpu.Stat s = ProcCpu.Stat.parse("77 (a) S 1 2 (b)) R 5 77 77 0 -1 0 0 0 0 0 31 7 3 2 20 0 1 0 99 0 0");
        assertThat(s).isEqualTo(new ProcCpu.Stat(77, 5, 31, 7, 3, 2));
    }

    @Test
    void aLineThatIsNotAStatLineIsRefused() {
        assertThatThrownBy(() -> ProcCpu.Stat.parse("no parentheses")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProcCpu.Stat.parse("1 (short) S 0 0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fields");
    }

    @Test
    void readsThisProcessAndNothingForOneThatIsGone() {
        long self = ProcessHandle.current().pid();
        assertThat(ProcCpu.read(self)).hasValueSatisfying(s -> {
            assertThat(s.pid()).isEqualTo(self);
            assertThat(s.ppid()).isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
        });
        assertThat(ProcCpu.read(Long.MAX_VALUE)).isEmpty();
        assertThat(ProcCpu.TICKS_PER_SECOND).isPositive();
    }

    @Test
    @Timeout(60)
    void aTreeCountsItsLivingChildrenAndKeepsThoseItReaped() throws Exception {
        long self = ProcessHandle.current().pid();
        Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        try {
            long ticks = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ticks < 10 && System.nanoTime() < deadline) { // a tenth of a second of CPU, however loaded the machine
                Thread.sleep(50);
                ticks = ProcCpu.read(busy.pid()).orElseThrow().own();
            }
            assertThat(ticks).isGreaterThanOrEqualTo(10);
            long reapedBefore = ProcCpu.read(self).orElseThrow().reaped();
            long without = ProcCpu.treeTicks(self, Set.of(busy.pid()));
            long with = ProcCpu.treeTicks(self, Set.of());
            // our own threads keep running between the two reads, so "with" holds at least the child's ticks more
            assertThat(with - without).isGreaterThanOrEqualTo(ticks);

            busy.destroyForcibly().waitFor();
            // reaped now: its time moved into our cutime + cstime, and the tree still counts it
            assertThat(ProcCpu.read(self).orElseThrow().reaped() - reapedBefore).isGreaterThanOrEqualTo(ticks);
            assertThat(ProcCpu.treeTicks(self, Set.of())).isGreaterThanOrEqualTo(with);
        } finally {
            busy.destroyForcibly();
        }
    }

    @Test
    void aFollowerKeepsTheLastReadingOfAProcessThatEnded() throws Exception {
        Process p = new ProcessBuilder("sleep", "30").start();
        try {
            ProcCpu.Follower f = new ProcCpu.Follower();
            f.sample(p.pid());
            long seen = f.ticks();
            p.destroyForcibly().waitFor();
            f.sample(p.pid()); // gone: the last reading stands
            assertThat(f.ticks()).isEqualTo(seen);
            f.sample(0);
            assertThat(f.ticks()).isEqualTo(seen);
        } finally {
            p.destroyForcibly();
        }
    }
}
