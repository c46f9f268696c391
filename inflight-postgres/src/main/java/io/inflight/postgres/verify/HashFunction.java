package io.inflight.postgres.verify;

/**
 * The 64-bit hash both sides compute over normalized text. The same function must run on both servers
 * and give the same value for the same text; {@link #NATIVE} is chosen only after a probe showed it
 * does (see {@link SessionSettings#probe}).
 */
enum HashFunction {

    /**
     * {@code hashtextextended}: fast, built in since PostgreSQL 11. It hashes the server-encoded bytes
     * with a byte-order dependent algorithm, so it is only usable when both servers share encoding and
     * byte order, which the probe checks.
     */
    NATIVE,

    /** The first 64 bits of the MD5 of the text's UTF-8 bytes: the same on any server, slower. */
    MD5;

    /** SQL for the hash of a text expression; {@code seed} 0 for rows, 1 for keys (independent hashes). */
    String of(String textExpression, int seed) {
        return switch (this) {
            // COLLATE "C": a non-deterministic collation would hash a sort key instead of the bytes.
            case NATIVE -> "hashtextextended((" + textExpression + ") COLLATE \"C\", " + seed + ")";
            case MD5 -> "('x' || substr(md5(convert_to(" + textExpression + ", 'UTF8')), " + (1 + 16 * seed)
                    + ", 16))::bit(64)::bigint";
        };
    }
}
