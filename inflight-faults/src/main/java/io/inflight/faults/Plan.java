package io.inflight.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which faults run in which episode. Every available kind comes once per cycle (each cycle shuffled by the seed),
 * so any run of at least one cycle's length has every kind. A clone-stage fault needs a fresh clone, so each one
 * opens an episode; the stream-stage faults are spread over the episodes after it. A cutover ends its episode's
 * migration, so it comes last in it. With no clone-stage kind selected, the episodes are of stream-stage faults
 * only (a cutover still ends one).
 */
final class Plan {

    private Plan() {
    }

    /**
     * {@code rounds} faults, grouped into episodes, each episode starting with a clone-stage fault when any is among
     * {@code kinds}, and ending with the cutover when it has one.
     */
    static List<List<Fault>> episodes(List<Fault> kinds, int rounds, long seed) {
        Random random = new Random(seed);
        List<Fault> clone = kinds.stream().filter(f -> f.stage == Fault.Stage.CLONE).toList();
        List<Fault> stream = kinds.stream().filter(f -> f.stage == Fault.Stage.STREAM).toList();
        List<List<Fault>> episodes = new ArrayList<>();
        int planned = 0;
        if (clone.isEmpty()) {
            if (stream.isEmpty()) {
                throw new IllegalArgumentException("no fault kind to plan");
            }
            List<Fault> episode = new ArrayList<>();
            while (planned < rounds) {
                for (Fault f : shuffled(stream, random)) {
                    if (planned == rounds) {
                        break;
                    }
                    episode.add(f);
                    planned++;
                    if (f == Fault.KILL_IN_CUTOVER) {
                        episodes.add(episode);
                        episode = new ArrayList<>();
                    }
                }
            }
            if (!episode.isEmpty()) {
                episodes.add(episode);
            }
            return episodes;
        }
        while (planned < rounds) {
            List<Fault> c = shuffled(clone, random);
            List<Fault> s = shuffled(stream, random);
            int perEpisode = (int) Math.ceil(s.size() / (double) c.size());
            for (int i = 0; i < c.size() && planned < rounds; i++) {
                List<Fault> episode = new ArrayList<>();
                episode.add(c.get(i));
                planned++;
                for (int j = i * perEpisode; j < Math.min(s.size(), (i + 1) * perEpisode) && planned < rounds; j++) {
                    episode.add(s.get(j));
                    planned++;
                }
                episodes.add(lastCutover(episode));
            }
        }
        return episodes;
    }

    /** The episode's faults with a cutover moved to the end: after it the migration is promoted. */
    private static List<Fault> lastCutover(List<Fault> episode) {
        List<Fault> out = new ArrayList<>(episode);
        if (out.remove(Fault.KILL_IN_CUTOVER)) {
            out.add(Fault.KILL_IN_CUTOVER);
        }
        return out;
    }

    private static List<Fault> shuffled(List<Fault> faults, Random random) {
        List<Fault> copy = new ArrayList<>(faults);
        Collections.shuffle(copy, random);
        return copy;
    }
}
