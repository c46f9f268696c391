package io.inflight.postgres.apply;

import io.inflight.postgres.stream.TupleData;
import io.inflight.postgres.stream.TupleData.Value;

/** Small helpers over {@link TupleData} that the apply paths share. */
final class Tuples {

    private Tuples() {
    }

    /** The value as a bind parameter: its text, or null for SQL NULL. */
    static String text(Value v) {
        TupleData.Text t = textOrNull(v);
        return t == null ? null : t.text();
    }

    /** The value's text as received, or null for SQL NULL; anything else (an unchanged TOAST value) cannot be sent. */
    static TupleData.Text textOrNull(Value v) {
        if (v instanceof TupleData.Text t) {
            return t;
        }
        if (v instanceof TupleData.Null) {
            return null;
        }
        throw new IllegalStateException("value " + v + " cannot be bound");
    }
}
