package io.inflight.postgres.schema;

import java.util.List;
import java.util.Set;

/**
 * One unit of DDL: statements run in one transaction, creating one object.
 *
 * @param id          unique within its plan; other steps name it in {@code after}
 * @param description what it creates, for progress and error messages ("index public.orders_pkey")
 * @param statements  the SQL, in order; a statement naming roles runs only when they all exist on the target
 * @param after       ids of steps of the same phase that must have finished first
 * @param locks       tables this step alters: two steps sharing one never run at the same time (they would
 *                    only queue on each other's lock, or deadlock when each takes two tables in turn)
 * @param doneQuery   post-data only, nullable: a query on the target answering {@code 'done'} when an
 *                    earlier run already created the object, {@code 'invalid'} when it left a broken one
 *                    (then {@code repair} runs first), no row otherwise. Null: the step is idempotent
 * @param repair      SQL that removes an invalid leftover, or null
 */
public record DdlStep(String id, String description, List<Sql> statements, Set<String> after, Set<String> locks,
        String doneQuery, String repair) {

    public DdlStep {
        statements = List.copyOf(statements);
        after = Set.copyOf(after);
        locks = Set.copyOf(locks);
    }

    static DdlStep simple(String id, String description, List<String> sql) {
        return new DdlStep(id, description, sql.stream().map(Sql::of).toList(), Set.of(), Set.of(), null, null);
    }

    /**
     * A statement and the roles it names (owner, grantee), which must exist on the target; {@code becomes} are
     * those the session must be able to act as ({@code OWNER TO} needs it), which a non-superuser often cannot.
     */
    public record Sql(String text, Set<String> roles, Set<String> becomes) {
        public Sql {
            roles = Set.copyOf(roles);
            becomes = Set.copyOf(becomes);
        }

        public Sql(String text, Set<String> roles) {
            this(text, roles, Set.of());
        }

        public static Sql of(String text) {
            return new Sql(text, Set.of());
        }

        /** {@code ALTER ... OWNER TO owner}: needs the role to exist and the session to be able to become it. */
        public static Sql ownerChange(String text, String owner) {
            return new Sql(text, Set.of(owner), Set.of(owner));
        }
    }
}
