package io.inflight.postgres.check;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import java.util.Objects;

/**
 * One thing a check found.
 *
 * @param severity how much it matters
 * @param code     for a blocker, the error a clone stops with; null for warnings and infos
 * @param check    the name of the check that found it, e.g. {@code wal_level}
 * @param object   what it is about: a table, a setting, a role, a side
 * @param message  what is wrong or worth knowing, naming the object
 * @param fix      the statement or step that fixes it; empty when there is nothing to do
 */
public record Finding(Severity severity, ErrorCode code, String check, String object, String message, String fix) {

    public Finding {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(message, "message");
        object = object == null ? "" : object;
        fix = fix == null ? "" : fix;
        if (severity == Severity.BLOCKER && code == null) {
            throw new IllegalArgumentException("a blocker needs an error code: " + message);
        }
    }

    public static Finding blocker(ErrorCode code, String check, String object, String message, String fix) {
        return new Finding(Severity.BLOCKER, code, check, object, message, fix);
    }

    public static Finding warning(String check, String object, String message, String fix) {
        return new Finding(Severity.WARNING, null, check, object, message, fix);
    }

    public static Finding info(String check, String object, String message) {
        return new Finding(Severity.INFO, null, check, object, message, "");
    }

    public boolean isBlocker() {
        return severity == Severity.BLOCKER;
    }

    /** The message and its fix in one sentence, as an error shows them. */
    public String text() {
        return fix.isEmpty() ? message : message + ". " + fix;
    }

    /** The exception a run that must stop here throws; only for blockers. */
    public InflightException toException() {
        if (!isBlocker()) {
            throw new IllegalStateException("not a blocker: " + message);
        }
        return new InflightException(code, text());
    }
}
