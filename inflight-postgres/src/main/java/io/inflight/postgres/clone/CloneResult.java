package io.inflight.postgres.clone;

import io.inflight.core.Lsn;
import java.time.Duration;
import java.util.Map;

/**
 * What a clone did.
 *
 * @param consistentPoint the slot's LSN: the stream starts here (tables re-copied later carry their own)
 * @param tablesCopied    tables copied by this run
 * @param tablesSkipped   tables an earlier run had already copied
 * @param phases          wall time per phase, in the order they ran ("plan", "schema", "copy", "post-data",
 *                        "sequences")
 */
public record CloneResult(String slotName, String publication, Lsn consistentPoint, int tablesCopied,
                          int tablesSkipped, long rowsCopied, long bytesCopied, Duration elapsed,
                          Map<String, Duration> phases) {
}
