package io.inflight.postgres.stream;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.postgres.stream.PgOutputMessage.Relation;
import java.util.HashMap;
import java.util.Map;

/**
 * The latest {@link Relation} seen for each relation id of one replication stream: row changes carry only the
 * id, and pgoutput sends a Relation before the first change of a table in a session and after each change of its
 * shape. Not thread-safe: owned by the one thread reading the stream.
 */
public final class RelationCache {

    private final Map<Integer, Relation> relations = new HashMap<>();

    /**
     * Remembers {@code message} if it is a Relation, also one inside a stream block (replacing any earlier one
     * for its id); ignores the rest.
     */
    public void accept(PgOutputMessage message) {
        if (message instanceof Relation relation) {
            relations.put(relation.relationId(), relation);
        } else if (message instanceof PgOutputMessage.Streamed streamed) {
            accept(streamed.change());
        }
    }

    /**
     * The relation a change names.
     *
     * @throws InflightException ({@link ErrorCode#INTERNAL}) when no Relation message announced it
     */
    public Relation get(int relationId) {
        Relation relation = relations.get(relationId);
        if (relation == null) {
            throw new InflightException(ErrorCode.INTERNAL, "A pgoutput change names relation id "
                    + Integer.toUnsignedString(relationId) + " that no Relation message announced; the stream was"
                    + " read from the middle of a session. Restart streaming from the slot's confirmed position.");
        }
        return relation;
    }

    public int size() {
        return relations.size();
    }
}
