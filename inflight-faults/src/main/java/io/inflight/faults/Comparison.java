package io.inflight.faults;

import io.inflight.core.Lsn;
import io.inflight.testkit.TableContents;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The two databases compared directly, not through Inflight: per table a row count and a digest of the sorted
 * multiset of row texts ({@link TableContents#fingerprint}), so a duplicated row differs as much as a lost one,
 * also in a table without a key. Read once the source is quiet and the stream has applied everything it wrote.
 *
 * @param rowsCompared rows the source holds in the compared tables
 * @param differing    {@code table: source count:digest vs target count:digest} per table that differs
 */
record Comparison(long rowsCompared, List<String> differing) {

    static Comparison of(Rig rig, String targetDb, List<String> tables) throws SQLException {
        long rows = 0;
        List<String> differing = new ArrayList<>();
        try (Connection s = rig.source.connect(Rig.SOURCE_DB); Connection t = rig.target.connect(targetDb)) {
            for (String table : tables) {
                String onSource = TableContents.fingerprint(s, table);
                String onTarget = TableContents.fingerprint(t, table);
                rows += Long.parseLong(onSource.substring(0, onSource.indexOf(':')));
                if (!onSource.equals(onTarget)) {
                    differing.add(table + ": source " + onSource + " vs target " + onTarget);
                }
            }
        }
        return new Comparison(rows, List.copyOf(differing));
    }

    /**
     * Empty when the slot has confirmed nothing the target does not hold, else what is wrong. The confirmed
     * position is read first: the target's only grows, so a stream running meanwhile cannot make a sound state
     * look unsound.
     */
    static Optional<String> slotAhead(Flow flow) {
        String slot = flow.slot();
        Optional<Lsn> confirmed = Positions.confirmed(flow.from(), flow.fromDb(), slot);
        Optional<Lsn> held = Positions.held(flow.to(), flow.toDb());
        if (confirmed.isEmpty() || held.isEmpty()) {
            return Optional.empty(); // no slot yet, or no consistent point recorded: nothing confirmed to hold
        }
        return confirmed.get().compareTo(held.get()) > 0
                ? Optional.of("slot " + slot + " confirmed " + confirmed.get() + " but " + flow.toDb()
                        + " holds only up to " + held.get())
                : Optional.empty();
    }
}
