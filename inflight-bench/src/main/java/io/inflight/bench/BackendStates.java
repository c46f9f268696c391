package io.inflight.bench;

import io.inflight.core.Identifiers;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where an applier's time goes, seen from the servers: on each poll, what the sessions working in its target
 * database and the walsender of its slot on the source are doing ({@code pg_stat_activity} state and wait
 * event; "cpu" when running without a wait event). Tells apart "the target is executing our SQL", "the
 * walsender is decoding" and "everybody waits for the client". Not thread-safe.
 */
final class BackendStates {

    private final Map<String, Integer> target = new TreeMap<>();
    private final Map<String, Integer> walsender = new TreeMap<>();
    private int polls;

    void poll(Statement targetDb, Statement sourceDb, String slot) throws SQLException {
        try (ResultSet rs = targetDb.executeQuery("SELECT coalesce(string_agg(state || '/' || coalesce(wait_event, 'cpu'), ' + '"
                + " ORDER BY state, wait_event), 'all idle') FROM pg_stat_activity WHERE datname = current_database()"
                + " AND pid <> pg_backend_pid() AND state IS NOT NULL AND state <> 'idle'")) {
            rs.next();
            target.merge(rs.getString(1), 1, Integer::sum);
        }
        pollWalsender(sourceDb, slot);
    }

    /** A poll of the walsender only, for a reader of the slot that has no target database. */
    void pollWalsender(Statement sourceDb, String slot) throws SQLException {
        polls++;
        try (ResultSet rs = sourceDb.executeQuery("SELECT coalesce((SELECT state || '/' || coalesce(wait_event, 'cpu')"
                + " FROM pg_stat_activity a JOIN pg_replication_slots s ON s.active_pid = a.pid WHERE s.slot_name = "
                + Identifiers.literal(slot) + "), 'not connected')")) {
            rs.next();
            walsender.merge(rs.getString(1), 1, Integer::sum);
        }
    }

    /** "target: active/cpu 55%, all idle 30%, ...; walsender: ..." for the log; no target part if only the walsender was polled. */
    String summary() {
        return (target.isEmpty() ? "" : "target sessions: " + shares(target) + "; ") + "walsender: " + shares(walsender);
    }

    private String shares(Map<String, Integer> counts) {
        if (counts.isEmpty()) {
            return "not sampled";
        }
        return counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(6)
                .map(e -> e.getKey() + " " + Math.round(100.0 * e.getValue() / Math.max(1, polls)) + "%")
                .collect(Collectors.joining(", "));
    }
}
