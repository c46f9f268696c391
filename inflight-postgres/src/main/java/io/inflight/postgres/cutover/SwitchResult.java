package io.inflight.postgres.cutover;

import io.inflight.core.Lsn;
import java.time.Duration;
import java.util.Map;

/**
 * What a cutover or rollback did.
 *
 * @param writePause from the fence to the resume: how long writes waited (or, read-only fenced, failed)
 * @param steps      each step's time, in the order they ran
 * @param fenceLsn   the old side's WAL position once fenced: the drain applied everything up to it
 * @param reverseSlot the slot on the new primary that the stream back into the old side reads
 * @param resumed    whether this run continued one a crash had left half done
 * @param alreadyDone whether an earlier run had finished this switch, so this one did nothing (a rerun after the
 *                    process died at its very end, say)
 * @param afterwards what the operator still has to do, or empty
 */
public record SwitchResult(String kind, long runId, Duration writePause, Map<String, Duration> steps, Lsn fenceLsn,
                           int sequences, String reverseSlot, boolean resumed, boolean alreadyDone,
                           String afterwards) {

    public SwitchResult {
        steps = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(steps));
    }

    /** The result of a rerun that found run {@code runId} had finished the switch already. */
    static SwitchResult alreadyDone(String kind, long runId, String afterwards) {
        return new SwitchResult(kind, runId, Duration.ZERO, Map.of(), Lsn.INVALID, 0, "", false, true, afterwards);
    }
}
