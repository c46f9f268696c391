package io.inflight.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inflight.cli.logging.Masking;
import io.inflight.postgres.check.CheckReport;
import io.inflight.postgres.check.Finding;

/**
 * {@code check --json}: {@code {"ok":bool,"blockers":n,"warnings":n,"findings":[{"severity","code","exitCode",
 * "check","object","message","fix"}]}} on one line. Field names are a contract; add fields, never rename them.
 */
final class CheckReportJson {

    private CheckReportJson() {
    }

    static String render(CheckReport report) {
        ObjectNode o = Json.object();
        o.put("ok", report.ok());
        o.put("blockers", report.blockers().size());
        o.put("warnings", report.warnings().size());
        ArrayNode findings = o.putArray("findings");
        for (Finding f : report.findings()) {
            ObjectNode j = findings.addObject();
            j.put("severity", f.severity().name());
            j.put("code", f.code() == null ? null : f.code().name());
            if (f.code() == null) {
                j.putNull("exitCode");
            } else {
                j.put("exitCode", f.code().exitCode());
            }
            j.put("check", f.check());
            j.put("object", f.object());
            j.put("message", Masking.mask(f.message()));
            j.put("fix", Masking.mask(f.fix()));
        }
        return Json.write(o);
    }
}
