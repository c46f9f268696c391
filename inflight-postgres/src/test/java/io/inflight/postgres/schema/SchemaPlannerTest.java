package io.inflight.postgres.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.inflight.core.TableId;
import io.inflight.postgres.schema.SchemaModel.Check;
import io.inflight.postgres.schema.SchemaModel.Column;
import io.inflight.postgres.schema.SchemaModel.Constraint;
import io.inflight.postgres.schema.SchemaModel.SequenceOptions;
import io.inflight.postgres.schema.SchemaModel.Table;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SchemaPlannerTest {

    static Column col(String name, String type, boolean notNull, String dflt) {
        return new Column(name, type, null, notNull, dflt, null, (char) 0, null, null);
    }

    static Table table(String key, String name, List<Column> cols, List<Check> checks, String partKey, String parent,
            String bound) {
        return new Table(key, TableId.of("s", name), partKey == null ? 'r' : 'p', false, List.of(), cols, checks, partKey,
                parent, bound, 'd', null, null, false, false, 10);
    }

    @Test
    void rendersIdentityGeneratedCollatedColumnsWithQuotedNames() {
        Column identity = new Column("Id", "integer", null, true, null, null, 'a', TableId.of("s", "t_Id_seq"),
                new SequenceOptions(100, 2, 1, 2147483647, 1, false));
        Column generated = new Column("total", "bigint", null, false, null, "(qty * price)", (char) 0, null, null);
        Column collated = new Column("na\"me", "text", "pg_catalog.\"C\"", false, "'x'::text", null, (char) 0, null, null);

        assertThat(SchemaPlanner.columnSql(identity)).isEqualTo("\"Id\" integer GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME"
                + " \"s\".\"t_Id_seq\" START WITH 100 INCREMENT BY 2 MINVALUE 1 MAXVALUE 2147483647 CACHE 1 NO CYCLE) NOT NULL");
        assertThat(SchemaPlanner.columnSql(generated)).isEqualTo("\"total\" bigint GENERATED ALWAYS AS ((qty * price)) STORED");
        assertThat(SchemaPlanner.columnSql(collated)).isEqualTo("\"na\"\"me\" text COLLATE pg_catalog.\"C\" DEFAULT 'x'::text");
        assertThat(SchemaPlanner.reloptions(List.of("fillfactor=80", "opt=a b"))).isEqualTo("fillfactor=80, opt='a b'");
    }

    @Test
    void aPartitionLikeItsParentIsCreatedPartitionOfAndADifferentOneIsAttached() {
        Table parent = table("r:1", "events", List.of(col("id", "bigint", false, null), col("kind", "text", false, "'x'::text")),
                List.of(new Check("kind_check", "CHECK ((kind <> ''::text))", true, true)), "LIST (kind)", null, null);
        Table same = table("r:2", "events_a", List.of(col("id", "bigint", true, null), col("kind", "text", false, null)),
                List.of(new Check("kind_check", "CHECK ((kind <> ''::text))", true, false)), null, "r:1",
                "FOR VALUES IN ('a')");
        Table reordered = table("r:3", "events_b", List.of(col("kind", "text", false, null), col("id", "bigint", false, null)),
                List.of(new Check("kind_check", "CHECK ((kind <> ''::text))", true, false)), null, "r:1", "DEFAULT");

        assertThat(SchemaPlanner.tableSql(same, parent)).containsExactly(
                "CREATE TABLE \"s\".\"events_a\" PARTITION OF \"s\".\"events\" FOR VALUES IN ('a')",
                "ALTER TABLE \"s\".\"events_a\" ALTER COLUMN \"id\" SET NOT NULL",
                "ALTER TABLE \"s\".\"events_a\" ALTER COLUMN \"kind\" DROP DEFAULT");
        assertThat(SchemaPlanner.tableSql(reordered, parent)).containsExactly(
                "CREATE TABLE \"s\".\"events_b\" (\"kind\" text, \"id\" bigint, CONSTRAINT \"kind_check\" CHECK ((kind <> ''::text)))",
                "ALTER TABLE \"s\".\"events\" ATTACH PARTITION \"s\".\"events_b\" DEFAULT");
        assertThat(SchemaPlanner.tableSql(parent, null)).containsExactly("CREATE TABLE \"s\".\"events\" (\"id\" bigint,"
                + " \"kind\" text DEFAULT 'x'::text, CONSTRAINT \"kind_check\" CHECK ((kind <> ''::text))) PARTITION BY LIST (kind)");
    }

    @Test
    void keysAreBuiltAsIndexesThenPromotedAndForeignKeysWaitForTheReferencedKey() {
        Table a = table("r:1", "a", List.of(col("id", "integer", true, null)), List.of(), null, null, null);
        Table b = table("r:2", "b", List.of(col("id", "integer", true, null), col("a_id", "integer", true, null)),
                List.of(), null, null, null);
        Constraint pk = new Constraint("c:10", "r:1", a.id(), "a_pkey", 'p', "PRIMARY KEY (id)", false, false, true,
                "i:11", "CREATE UNIQUE INDEX a_pkey ON s.a USING btree (id)", false, null, 1);
        Constraint fk = new Constraint("c:20", "r:2", b.id(), "b_a_fk", 'f', "FOREIGN KEY (a_id) REFERENCES s.a(id)"
                + " DEFERRABLE INITIALLY DEFERRED", true, true, true, "i:11", null, false, "r:1", 0);
        SchemaModel model = new SchemaModel(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(a, b),
                List.of(pk, fk), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of());

        SchemaPlan plan = SchemaPlanner.plan(model);

        assertThat(plan.preData()).extracting(DdlStep::id).containsExactly("r:1", "r:2");
        Map<String, DdlStep> post = plan.postData().stream().collect(Collectors.toMap(DdlStep::id, Function.identity()));
        assertThat(plan.postData()).extracting(DdlStep::id).containsExactly("i:11", "c:10", "c:20", "validate:c:20");
        assertThat(post.get("c:10").statements().get(0).text())
                .isEqualTo("ALTER TABLE \"s\".\"a\" ADD CONSTRAINT \"a_pkey\" PRIMARY KEY USING INDEX \"a_pkey\"");
        assertThat(post.get("c:10").after()).containsExactly("i:11");
        assertThat(post.get("c:20").statements().get(0).text()).endsWith("DEFERRABLE INITIALLY DEFERRED NOT VALID");
        assertThat(post.get("c:20").after()).containsExactlyInAnyOrder("c:10", "i:11");
        assertThat(post.get("c:20").locks()).containsExactlyInAnyOrder("r:1", "r:2");
        assertThat(post.get("validate:c:20").after()).containsExactly("c:20");
        assertThat(post.get("i:11").repair()).isEqualTo("DROP INDEX IF EXISTS \"s\".\"a_pkey\"");
    }

    @Test
    void eachPostDataStepNeedsTheRowsOfTheTablesItWorksOnAndAPartitionedTableStandsForItsLeaves() {
        Table a = table("r:1", "a", List.of(col("id", "integer", true, null)), List.of(), null, null, null);
        Table b = table("r:2", "b", List.of(col("id", "integer", true, null), col("a_id", "integer", true, null)),
                List.of(), null, null, null);
        Table events = table("r:3", "events", List.of(col("id", "integer", true, null)), List.of(), "RANGE (id)", null,
                null);
        Table events1 = table("r:4", "events_1", List.of(col("id", "integer", true, null)), List.of(), null, "r:3",
                "FOR VALUES FROM (0) TO (10)");
        Constraint pk = new Constraint("c:10", "r:1", a.id(), "a_pkey", 'p', "PRIMARY KEY (id)", false, false, true,
                "i:11", "CREATE UNIQUE INDEX a_pkey ON s.a USING btree (id)", false, null, 1);
        Constraint fk = new Constraint("c:20", "r:2", b.id(), "b_a_fk", 'f', "FOREIGN KEY (a_id) REFERENCES s.a(id)",
                false, false, true, "i:11", null, false, "r:1", 0);
        SchemaModel.Index byId = new SchemaModel.Index("i:30", "r:3", events.id(), "events_id",
                "CREATE INDEX events_id ON ONLY s.events USING btree (id)", 1);
        SchemaModel model = new SchemaModel(List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(a, b, events, events1), List.of(pk, fk), List.of(byId), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

        Map<String, java.util.Set<TableId>> needed = SchemaPlanner.plan(model).dataNeeded();

        assertThat(needed.get("i:11")).containsExactly(a.id());
        assertThat(needed.get("c:10")).containsExactly(a.id());
        assertThat(needed.get("c:20")).containsExactlyInAnyOrder(a.id(), b.id());
        assertThat(needed.get("validate:c:20")).containsExactly(b.id());
        assertThat(needed.get("i:30")).containsExactly(events1.id());
    }
}
