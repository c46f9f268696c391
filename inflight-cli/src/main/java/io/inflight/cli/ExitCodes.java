package io.inflight.cli;

import io.inflight.core.ErrorCode;
import java.util.EnumMap;
import java.util.Map;

/**
 * What each exit code tells a user or a script, and the Markdown table of them in README.md (a test
 * keeps the two equal; regenerate with {@code java -cp inflight-cli/target/inflight.jar io.inflight.cli.ExitCodes}).
 */
public final class ExitCodes {

    private static final Map<ErrorCode, String> MEANING = new EnumMap<>(Map.ofEntries(
            Map.entry(ErrorCode.INVALID_CONFIGURATION, "Bad option or URI (a password in a URI, a missing database name)."),
            Map.entry(ErrorCode.CONNECTION_FAILED, "A server cannot be reached: host, port, DNS, firewall, listen_addresses."),
            Map.entry(ErrorCode.AUTHENTICATION_FAILED, "Wrong user or password, or pg_hba.conf refuses this client."),
            Map.entry(ErrorCode.LOGICAL_REPLICATION_DISABLED, "The source needs `wal_level = logical` (and a restart)."),
            Map.entry(ErrorCode.REPLICATION_SLOTS_EXHAUSTED, "No free replication slot or WAL sender on the source."),
            Map.entry(ErrorCode.INSUFFICIENT_PRIVILEGE, "The role lacks REPLICATION, SELECT, CREATE or ownership."),
            Map.entry(ErrorCode.TARGET_NOT_EMPTY, "The target already holds tables Inflight would create."),
            Map.entry(ErrorCode.SCHEMA_MISMATCH, "With `--schema existing`: the target's tables differ from the source's."),
            Map.entry(ErrorCode.UNSUPPORTED, "A type, version or object Inflight cannot carry."),
            Map.entry(ErrorCode.CONNECTION_LOST, "A connection broke mid-run; rerun the same command to resume."),
            Map.entry(ErrorCode.RESOURCE_EXHAUSTED, "A server ran out of disk or memory, or Inflight out of heap (give it more with INFLIGHT_JAVA_OPTS=-Xmx...); free some and rerun to resume."),
            Map.entry(ErrorCode.OBJECT_CONFLICT, "A slot, publication or table is missing or already taken."),
            Map.entry(ErrorCode.DATA_CONFLICT, "The target's rows no longer match the source's; a change cannot be applied."),
            Map.entry(ErrorCode.DATA_DIFFERS, "`verify` found rows missing, extra or different on the target (see its report)."),
            Map.entry(ErrorCode.INTERRUPTED, "Stopped by Ctrl-C; rerun to resume."),
            Map.entry(ErrorCode.INTERNAL, "A fault in Inflight or an unexpected server error; rerun with `--verbose` and report it.")));

    private ExitCodes() {
    }

    public static String meaning(ErrorCode code) {
        return MEANING.get(code);
    }

    /** The README's table: exit code, error code, meaning, in exit code order. */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder("| Exit | Code | Meaning |\n|---:|---|---|\n");
        sb.append("| 0 | | Success. |\n");
        java.util.Arrays.stream(ErrorCode.values())
                .sorted(java.util.Comparator.comparingInt(ErrorCode::exitCode))
                .forEach(c -> sb.append("| ").append(c.exitCode()).append(" | `").append(c.name()).append("` | ")
                        .append(meaning(c)).append(" |\n"));
        return sb.toString();
    }

    public static void main(String[] args) {
        System.out.print(markdownTable());
    }
}
