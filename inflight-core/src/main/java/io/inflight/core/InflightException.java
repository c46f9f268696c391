package io.inflight.core;

import java.util.Optional;

/**
 * The one exception Inflight reports to its user. The message names the object at fault (table, column,
 * LSN, setting) and what to do about it; the code decides the exit status; the SQLSTATE, when a server
 * raised it, is kept so that callers can tell retriable from permanent faults.
 */
public class InflightException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String sqlState;

    public InflightException(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    public InflightException(ErrorCode code, String message, Throwable cause) {
        this(code, message, null, cause);
    }

    public InflightException(ErrorCode code, String message, String sqlState, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.sqlState = sqlState;
    }

    public ErrorCode code() {
        return code;
    }

    public Optional<String> sqlState() {
        return Optional.ofNullable(sqlState);
    }

    /** True for faults a rerun or a retry can get past without the user changing anything. */
    public boolean isRetriable() {
        return code == ErrorCode.CONNECTION_LOST;
    }
}
