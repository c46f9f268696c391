package io.inflight.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which faults go into which episode: a cutover promotes its migration, so nothing may follow it there. */
class PlanTest {

    @Test
    void aCutoverEndsItsEpisodeAndEveryKindComesOncePerCycle() {
        List<Fault> kinds = List.of(Fault.KILL_IN_COPY, Fault.KILL_IN_SCHEMA, Fault.KILL_IN_CUTOVER,
                Fault.KILL_IN_STREAMING, Fault.KILL_IN_VERIFY, Fault.WALSENDER_TERMINATED);
        for (long seed = 0; seed < 50; seed++) {
            List<List<Fault>> episodes = Plan.episodes(kinds, 12, seed);
            assertThat(episodes.stream().mapToInt(List::size).sum()).isEqualTo(12);
            assertThat(episodes.stream().flatMap(List::stream).filter(f -> f == Fault.KILL_IN_CUTOVER)).hasSize(2);
            for (List<Fault> episode : episodes) {
                assertThat(episode.get(0).stage).as("seed %d: %s", seed, episode).isEqualTo(Fault.Stage.CLONE);
                int cutover = episode.indexOf(Fault.KILL_IN_CUTOVER);
                assertThat(cutover).as("seed %d: %s", seed, episode).isIn(-1, episode.size() - 1);
            }
        }
    }

    @Test
    void withoutACloneStageKindEachCutoverClosesAnEpisodeOfStreamFaults() {
        assertThat(Plan.episodes(List.of(Fault.KILL_IN_CUTOVER), 3, 1)).containsExactly(
                List.of(Fault.KILL_IN_CUTOVER), List.of(Fault.KILL_IN_CUTOVER), List.of(Fault.KILL_IN_CUTOVER));
        List<List<Fault>> episodes = Plan.episodes(List.of(Fault.KILL_IN_STREAMING, Fault.KILL_IN_CUTOVER), 5, 9);
        assertThat(episodes.stream().mapToInt(List::size).sum()).isEqualTo(5);
        for (List<Fault> episode : episodes) {
            int cutover = episode.indexOf(Fault.KILL_IN_CUTOVER);
            assertThat(cutover).as("%s", episode).isIn(-1, episode.size() - 1);
        }
    }
}
