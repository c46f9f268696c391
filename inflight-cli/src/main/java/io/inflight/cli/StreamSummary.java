package io.inflight.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
        ObjectNode o = Json.object();
        o.put("appliedLsn", r.appliedLsn().toString());
        o.put("transactions", r.transactions());
        o.put("changes", r.changes());
        o.put("missingRows", r.missingRows());
        o.put("reconnects", r.reconnects());
        o.put("elapsedMs", r.elapsed().toMillis());
        return Json.write(o);
    }
}
