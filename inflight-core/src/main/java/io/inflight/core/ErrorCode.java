package io.inflight.core;

/**
 * What went wrong, as a user must act on it. Each code is a distinct process exit code, so scripts can
 * tell a wrong password from a source that needs {@code wal_level=logical}.
 */
public enum ErrorCode {
    /** Bad command line or configuration. */
    INVALID_CONFIGURATION(2),
    /** Host unreachable, connection refused, DNS failure. */
    CONNECTION_FAILED(10),
    /** Wrong user or password, or pg_hba refuses the client. */
    AUTHENTICATION_FAILED(11),
    /** The source is not configured for logical replication ({@code wal_level}). */
    LOGICAL_REPLICATION_DISABLED(12),
    /** No free replication slot or WAL sender on the source. */
    REPLICATION_SLOTS_EXHAUSTED(13),
    /** The role lacks a privilege it needs (REPLICATION, SELECT, CREATE, ownership). */
    INSUFFICIENT_PRIVILEGE(14),
    /** The target already holds tables Inflight would create. */
    TARGET_NOT_EMPTY(15),
    /** An existing target schema does not match the source. */
    SCHEMA_MISMATCH(16),
    /** A type, version or object Inflight cannot carry. */
    UNSUPPORTED(17),
    /** A connection broke mid-run; a rerun resumes. */
    CONNECTION_LOST(18),
    /** A server ran out of disk or another resource. */
    RESOURCE_EXHAUSTED(19),
    /** A named object (slot, publication, table) is missing or already taken. */
    OBJECT_CONFLICT(20),
    /** The target's rows no longer match the source's, so a change cannot be applied (e.g. a duplicate key). */
    DATA_CONFLICT(21),
    /** {@code inflight verify} compared the tables and found rows missing, extra or different on the target. */
    DATA_DIFFERS(22),
    /** Stopped by the user (Ctrl-C); a rerun resumes. */
    INTERRUPTED(130),
    /** A fault in Inflight itself or an unexpected server error. */
    INTERNAL(70);

    private final int exitCode;

    ErrorCode(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
