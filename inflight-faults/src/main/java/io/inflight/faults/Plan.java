package io.inflight.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which faults run in which episode. Every available kind comes once per cycle (each cycle shuffled by the seed),
 * so any run of at least one cycle's length has every kind. A clone-stage fault needs a fresh clone, so each one
 * opens an episode; the stream-stage faults are spread over the episodes after it.
 */
final class Plan {

    private Plan() {
    }

    /** {@code rounds} faults, grouped into episodes, each episode starting with a clone-stage fault. */
    static List<List<Fault>> episodes(List<Fault> kinds, int rounds, long seed) {
        Random random = new Random(seed);
        List<Fault> clone = kinds.stream().filter(f -> f.stage == Fault.Stage.CLONE).toList();
        List<Fault> stream = kinds.stream().filter(f -> f.stage == Fault.Stage.STREAM).toList();
        if (clone.isEmpty()) {
            throw new IllegalArgumentException("no clone-stage fault to open an episode with");
        }
        List<List<Fault>> episodes = new ArrayList<>();
        int planned = 0;
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
                episodes.add(episode);
            }
        }
        return episodes;
    }

    private static List<Fault> shuffled(List<Fault> faults, Random random) {
        List<Fault> copy = new ArrayList<>(faults);
        Collections.shuffle(copy, random);
        return copy;
    }
}
