package io.inflight.postgres.schema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orders items so that each comes after the items it depends on, and otherwise keeps the given order
 * (Kahn's algorithm, always taking the earliest ready item). A cycle cannot be ordered: its earliest
 * item is emitted anyway and the cycle is logged; the statement that needs the missing object then
 * fails with PostgreSQL's own message naming it.
 */
final class TopoOrder {

    private static final Logger LOG = LoggerFactory.getLogger(TopoOrder.class);

    private TopoOrder() {
    }

    static <T> List<T> sort(List<T> items, Function<T, String> id, Function<T, Set<String>> dependsOn) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            index.put(id.apply(items.get(i)), i);
        }
        int[] missing = new int[items.size()];
        Map<Integer, List<Integer>> dependents = new HashMap<>();
        Map<Integer, List<Integer>> needs = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            for (String d : new HashSet<>(dependsOn.apply(items.get(i)))) {
                Integer j = index.get(d);
                if (j != null && j != i) {
                    missing[i]++;
                    dependents.computeIfAbsent(j, k -> new ArrayList<>()).add(i);
                    needs.computeIfAbsent(i, k -> new ArrayList<>()).add(j);
                }
            }
        }
        TreeSet<Integer> ready = new TreeSet<>();
        TreeSet<Integer> waiting = new TreeSet<>();
        for (int i = 0; i < items.size(); i++) {
            (missing[i] == 0 ? ready : waiting).add(i);
        }
        List<T> out = new ArrayList<>(items.size());
        while (!ready.isEmpty() || !waiting.isEmpty()) {
            Integer next;
            if (ready.isEmpty()) {
                next = onCycle(waiting.first(), waiting, needs);
                LOG.warn("dependency cycle through {}: created before what it depends on ({})",
                        items.get(next), dependsOn.apply(items.get(next)));
            } else {
                next = ready.first();
            }
            ready.remove(next);
            waiting.remove(next);
            out.add(items.get(next));
            for (int d : dependents.getOrDefault(next, List.of())) {
                if (--missing[d] == 0 && waiting.remove(d)) {
                    ready.add(d);
                }
            }
        }
        return out;
    }

    /** Follows unmet dependencies from {@code start} until one repeats: the earliest item of that cycle. */
    private static int onCycle(int start, Set<Integer> waiting, Map<Integer, List<Integer>> needs) {
        List<Integer> path = new ArrayList<>();
        int at = start;
        while (!path.contains(at)) {
            path.add(at);
            int current = at;
            at = needs.getOrDefault(current, List.of()).stream().filter(waiting::contains).findFirst().orElse(current);
        }
        return path.subList(path.indexOf(at), path.size()).stream().min(Integer::compare).orElse(start);
    }
}
