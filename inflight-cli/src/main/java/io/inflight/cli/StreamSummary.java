package io.inflight.cli;

import io.inflight.cli.progress.ProgressMath;
import io.inflight.postgres.stream.StreamResult;
import java.util.Locale;

/** How a finished stream run is reported: a sentence for people, one JSON object for scripts. */
final class StreamSummary {

    private StreamSummary() {
    }

    static String line(StreamResult r) {
        return "stream stopped at " + r.appliedLsn() + " after " + ProgressMath.duration(r.elapsed()) + ": "
                + ProgressMath.count(r.transactions()) + " transactions, " + ProgressMath.count(r.changes())
                + " row changes applied" + (r.reconnects() > 0 ? ", " + r.reconnects() + " reconnects" : "")
                + (r.missingRows() > 0 ? "; " + r.missingRows() + " updates/deletes found no row on the target"
                + " (run inflight verify)" : "");
    }

    static String json(StreamResult r) {
        return String.format(Locale.ROOT, "{\"applied_lsn\":\"%s\",\"transactions\":%d,\"changes\":%d,"
                        + "\"missing_rows\":%d,\"reconnects\":%d,\"elapsed_ms\":%d}", r.appliedLsn(), r.transactions(),
                r.changes(), r.missingRows(), r.reconnects(), r.elapsed().toMillis());
    }
}
