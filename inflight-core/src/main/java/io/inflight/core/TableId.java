package io.inflight.core;

import java.util.Objects;

/** A table (or any relation) by schema and name, exactly as the catalog spells them. */
public record TableId(String schema, String name) implements Comparable<TableId> {

    public TableId {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
    }

    public static TableId of(String schema, String name) {
        return new TableId(schema, name);
    }

    /** The identifier to put into SQL: both parts quoted, embedded quotes doubled. */
    public String quoted() {
        return Identifiers.quote(schema) + "." + Identifiers.quote(name);
    }

    // Written out: a record's generated equals and hashCode go through method handles, which the quick (C1)
    // compiler Inflight runs with does not inline; the stream looks a table up for every change it applies.
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof TableId other && schema.equals(other.schema) && name.equals(other.name);
    }

    @Override
    public int hashCode() {
        return 31 * schema.hashCode() + name.hashCode();
    }

    @Override
    public int compareTo(TableId o) {
        int c = schema.compareTo(o.schema);
        return c != 0 ? c : name.compareTo(o.name);
    }

    /** The human form used in messages: {@code schema.name}, quoted only where needed. */
    @Override
    public String toString() {
        return Identifiers.quoteIfNeeded(schema) + "." + Identifiers.quoteIfNeeded(name);
    }
}
