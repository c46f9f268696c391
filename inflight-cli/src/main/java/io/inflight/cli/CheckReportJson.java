package io.inflight.cli;

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
        StringBuilder sb = new StringBuilder("{\"ok\":").append(report.ok())
                .append(",\"blockers\":").append(report.blockers().size())
                .append(",\"warnings\":").append(report.warnings().size())
                .append(",\"findings\":[");
        boolean first = true;
        for (Finding f : report.findings()) {
            sb.append(first ? "" : ",").append('{')
                    .append("\"severity\":").append(CloneResultJson.string(f.severity().name()))
                    .append(",\"code\":").append(f.code() == null ? "null" : CloneResultJson.string(f.code().name()))
                    .append(",\"exitCode\":").append(f.code() == null ? "null" : Integer.toString(f.code().exitCode()))
                    .append(",\"check\":").append(CloneResultJson.string(f.check()))
                    .append(",\"object\":").append(CloneResultJson.string(f.object()))
                    .append(",\"message\":").append(CloneResultJson.string(Masking.mask(f.message())))
                    .append(",\"fix\":").append(CloneResultJson.string(Masking.mask(f.fix())))
                    .append('}');
            first = false;
        }
        return sb.append("]}").toString();
    }
}
