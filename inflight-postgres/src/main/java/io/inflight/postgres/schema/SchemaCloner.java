package io.inflight.postgres.schema;

import static io.inflight.core.Identifiers.quote;

import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.schema.DdlStep.Sql;
import io.inflight.postgres.work.WorkSlots;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@link SchemaPlan} to a target.
 *
 * <p>Pre-data runs in one transaction: a failure leaves nothing behind and the same call can be repeated.
 * Post-data runs on several connections and is resumable: a step whose object already exists on the
 * target (looked up by name) is skipped, an invalid index left by a crash is dropped and rebuilt.
 * Statements naming a role missing on the target (owner, grantee, policy role) are skipped with a
 * {@link ProgressListener#warning} naming the role and the object.
 */
public final class SchemaCloner {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaCloner.class);

    /**
     * Memory per post-data session. An index build sorts every key of its table; with the server default
     * (64MB) large tables sort in many on-disk runs merged afterwards, several times slower than one big
     * in-memory sort. The target is not in use yet, so it can spare {@code jobs} times this.
     */
    static final String MAINTENANCE_WORK_MEM = "512MB";

    /** How long a post-data step waits on a lock before the server cancels an autovacuum holding it. */
    static final String POST_DATA_DEADLOCK_TIMEOUT = "50ms";

    private SchemaCloner() {
    }

    /**
     * Runs the pre-data steps in plan order in one transaction on {@code target} (left in autocommit
     * after). Function bodies are not checked (like pg_dump), so they may name objects made later.
     */
    public static void applyPreData(Connection target, SchemaPlan plan, ProgressListener listener) {
        listener.phaseStarted("schema", plan.preData().size() + " objects");
        plan.unsupported().forEach(u -> listener.warning("not recreated on the target: " + u));
        DdlStep current = null;
        String executing = null;
        try {
            boolean autoCommit = target.getAutoCommit();
            target.setAutoCommit(false);
            try (Statement s = target.createStatement()) {
                s.execute("SET LOCAL check_function_bodies = off");
                s.execute("SET LOCAL search_path = ''");
                for (DdlStep step : plan.preData()) {
                    current = step;
                    long start = System.currentTimeMillis();
                    for (Sql sql : step.statements()) {
                        executing = sql.text();
                        s.execute(sql.text());
                    }
                    listener.stepFinished(step.description(), System.currentTimeMillis() - start);
                }
                target.commit();
            } catch (SQLException | RuntimeException e) {
                target.rollback();
                throw e;
            } finally {
                target.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw failure(e, current == null ? "preparing the schema" : "creating " + current.description(), executing);
        }
        listener.phaseFinished("schema", plan.preData().size() + " objects");
    }

    /** Runs the post-data steps on {@code jobs} connections; blocks until all are done or one failed. */
    public static void applyPostData(PgConnector target, SchemaPlan plan, int jobs, ProgressListener listener) {
        listener.phaseStarted("post-data", plan.postData().size() + " steps on " + jobs + " connections");
        applyPostData(target, plan, DataGate.allCopied(), WorkSlots.withoutCopy(Math.max(1, jobs)), listener);
        listener.phaseFinished("post-data", plan.postData().size() + " steps");
    }

    /**
     * Runs the post-data steps while the copy runs: each starts once {@code gate} has the tables it needs
     * ({@link SchemaPlan#dataNeeded}), and runs while holding one of {@code slots}, which the copy shares.
     * Blocks until all are done, or one failed, or the gate was aborted (then throws INTERRUPTED after the
     * running steps finish). Reports steps, not phases: the caller says when post-data is the phase.
     */
    public static void applyPostData(PgConnector target, SchemaPlan plan, DataGate gate, WorkSlots slots,
            ProgressListener listener) {
        TargetRoles roles;
        try (Connection c = target.open()) {
            roles = TargetRoles.read(c);
        } catch (SQLException e) {
            throw PgErrors.translate(e, target, "reading the roles of the target");
        }
        warnAboutRoles(plan, roles, listener);
        new ParallelSteps(plan.postData(), slots.size(), () -> openSession(target),
                (c, step) -> runPostStep(target, c, step, roles, listener), gate, plan.dataNeeded(), slots).run();
    }

    /**
     * Once per role rather than once per object: grants to roles that exist only on the source, and owners a
     * non-superuser target role (the least-privilege setup) cannot give objects to. Such objects simply stay
     * the target role's own, as with {@code pg_restore --no-owner}; each skipped statement is in the log.
     */
    private static void warnAboutRoles(SchemaPlan plan, TargetRoles roles, ProgressListener listener) {
        Map<String, Set<String>> missing = new TreeMap<>();
        Map<String, Set<String>> notBecomable = new TreeMap<>();
        for (DdlStep step : plan.postData()) {
            for (Sql sql : step.statements()) {
                sql.roles().stream().filter(r -> !roles.exists(r)).forEach(r ->
                        missing.computeIfAbsent(r, k -> new LinkedHashSet<>()).add(step.description()));
                sql.becomes().stream().filter(r -> roles.exists(r) && !roles.canBecome(r)).forEach(r ->
                        notBecomable.computeIfAbsent(r, k -> new LinkedHashSet<>()).add(step.description()));
            }
        }
        missing.forEach((role, steps) -> listener.warning("role " + quote(role) + " does not exist on the target:"
                + " what names it is skipped (each statement is logged) in " + sample(steps) + ". Create the role"
                + " on the target before the clone to keep them, or run the logged statements by hand afterwards"));
        notBecomable.forEach((owner, steps) -> listener.warning("the target role " + quote(roles.current())
                + " may not act as role " + quote(owner) + ", so " + steps.size() + " object(s) owned by "
                + quote(owner) + " on the source stay owned by " + quote(roles.current()) + " on the target ("
                + sample(steps) + "). To keep the source's owners, run as a superuser or GRANT " + quote(owner)
                + " TO " + quote(roles.current()) + " before the clone; or change the owners afterwards with"
                + " ALTER ... OWNER TO"));
    }

    private static String sample(Set<String> steps) {
        int shown = 5;
        return steps.stream().limit(shown).collect(Collectors.joining(", "))
                + (steps.size() > shown ? " and " + (steps.size() - shown) + " more" : "");
    }

    /** The tables of the plan that already exist on the target. */
    public static List<TableId> existingTables(Connection target, SchemaPlan plan) {
        List<TableId> found = new ArrayList<>();
        try (PreparedStatement ps = target.prepareStatement("""
                SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = ? AND c.relname = ?""")) {
            for (TableId t : plan.tables()) {
                ps.setString(1, t.schema());
                ps.setString(2, t.name());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        found.add(t);
                    }
                }
            }
        } catch (SQLException e) {
            throw new InflightException(ErrorCode.INTERNAL, "looking for existing tables on the target failed: "
                    + e.getMessage(), e.getSQLState(), e);
        }
        return found;
    }

    /** The roles of the target, and which of them the session's role may act as (for {@code OWNER TO}). */
    record TargetRoles(String current, Set<String> all, Set<String> becomable) {

        static TargetRoles read(Connection c) throws SQLException {
            Set<String> all = new HashSet<>();
            Set<String> becomable = new HashSet<>();
            // From PostgreSQL 16 on, OWNER TO needs the right to SET ROLE, which a membership may lack.
            String privilege = c.getMetaData().getDatabaseMajorVersion() >= 16 ? "SET" : "MEMBER";
            String current;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT r.rolname, (SELECT rolsuper FROM pg_catalog.pg_roles"
                         + " WHERE rolname = current_user) OR pg_has_role(current_user, r.oid, '" + privilege + "'),"
                         + " current_user FROM pg_catalog.pg_roles r")) {
                current = null;
                while (rs.next()) {
                    all.add(rs.getString(1));
                    if (rs.getBoolean(2)) {
                        becomable.add(rs.getString(1));
                    }
                    current = rs.getString(3);
                }
            }
            return new TargetRoles(current, all, becomable);
        }

        boolean exists(String role) {
            return all.contains(role);
        }

        boolean canBecome(String role) {
            return becomable.contains(role);
        }
    }

    private static Connection openSession(PgConnector target) {
        Connection c = target.open();
        try (Statement s = c.createStatement()) {
            s.execute("SET maintenance_work_mem = '" + MAINTENANCE_WORK_MEM + "'");
            // A commit lost in a target crash loses that object only, and the rerun creates it again.
            s.execute("SET synchronous_commit = off");
            if (c.getMetaData().getDatabaseMajorVersion() >= 11) {
                // A foreign key's validation query costs enough to be JIT-compiled, which takes longer
                // than the one scan it would speed up. (Parallel index build workers stay at the server's
                // setting: the slowest index of the biggest table is usually what post-data waits for
                // last, and its extra workers get it more of the cores while the other steps run.)
                s.execute("SET jit = off");
            }
            s.execute("SET search_path = ''");
            s.execute("SET check_function_bodies = off");
            s.execute("SET statement_timeout = 0");
            shortenAutovacuumWaits(c, s);
            return c;
        } catch (SQLException e) {
            PgConnector.closeQuietly(c);
            throw PgErrors.translate(e, target, "preparing a post-data session");
        }
    }

    /**
     * Autovacuum starts on a freshly loaded table within seconds and holds a lock that every index build and
     * constraint on that table waits for. The server cancels it only when the waiter's deadlock check runs,
     * {@code deadlock_timeout} (1 s by default) into the wait, and it comes back after each step; on a table
     * with a dozen steps that added seconds to post-data. A short timeout only makes these sessions check
     * for deadlocks sooner (a check costs little next to an index build). The setting is a
     * superuser's (or, from PostgreSQL 15, a granted one): without the right, the server default stays.
     */
    private static void shortenAutovacuumWaits(Connection c, Statement s) throws SQLException {
        String allowed = c.getMetaData().getDatabaseMajorVersion() >= 15
                ? "SELECT current_setting('is_superuser') = 'on' OR has_parameter_privilege('deadlock_timeout', 'SET')"
                : "SELECT current_setting('is_superuser') = 'on'";
        try (ResultSet rs = s.executeQuery(allowed)) {
            if (rs.next() && rs.getBoolean(1)) {
                s.execute("SET deadlock_timeout = '" + POST_DATA_DEADLOCK_TIMEOUT + "'");
            } else {
                LOG.debug("post-data sessions keep the server's deadlock_timeout (setting it needs a superuser)");
            }
        }
    }

    private static void runPostStep(PgConnector target, Connection c, DdlStep step, TargetRoles roles,
            ProgressListener listener) {
        long start = System.currentTimeMillis();
        try {
            String state = step.doneQuery() == null ? null : SchemaReader.queryString(c, step.doneQuery());
            if ("done".equals(state)) {
                LOG.debug("already on the target: {}", step.description());
                return;
            }
            List<String> statements = new ArrayList<>();
            if ("invalid".equals(state) && step.repair() != null) {
                LOG.info("dropping the invalid leftover of an earlier run: {}", step.description());
                statements.add(step.repair());
            }
            for (Sql sql : step.statements()) {
                List<String> missing = sql.roles().stream().filter(r -> !roles.exists(r)).sorted().toList();
                if (missing.isEmpty()) {
                    if (sql.becomes().stream().allMatch(roles::canBecome)) {
                        statements.add(sql.text());
                    } else {
                        LOG.info("the target role may not act as the owner: skipped `{}` ({})", sql.text(),
                                step.description());
                    }
                } else {
                    LOG.info("role {} does not exist on the target: skipped `{}` ({})", String.join(", ", missing),
                            sql.text(), step.description());
                }
            }
            LOG.debug("post-data step started: {}", step.description());
            runInTransaction(c, statements);
            long took = System.currentTimeMillis() - start;
            LOG.debug("post-data step finished in {} ms: {}", took, step.description());
            listener.stepFinished(step.description(), took);
        } catch (SQLException e) {
            throw failure(e, "creating " + step.description(),
                    e instanceof StatementFailed f ? f.statement : null);
        }
    }

    /** One transaction per step; a deadlock with another step's locks is retried. */
    private static void runInTransaction(Connection c, List<String> statements) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                String executing = null;
                try {
                    for (String sql : statements) {
                        executing = sql;
                        s.execute(sql);
                    }
                } catch (SQLException e) {
                    throw new StatementFailed(e, executing);
                }
                c.commit();
                return;
            } catch (SQLException e) {
                c.rollback();
                if (!"40P01".equals(e.getSQLState()) || attempt >= 5) {
                    throw e;
                }
                LOG.info("deadlock on the target, retrying: {}", e.getMessage());
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** Which statement of a step failed, for the message: a step often runs several. */
    private static final class StatementFailed extends SQLException {
        final String statement;

        StatementFailed(SQLException cause, String statement) {
            super(cause.getMessage(), cause.getSQLState(), cause.getErrorCode(), cause);
            this.statement = statement;
        }
    }

    private static InflightException failure(SQLException e, String doing, String statement) {
        String detail = statement == null ? "" : ". Statement: " + abbreviate(statement);
        String state = e.getSQLState();
        if ("53200".equals(state) || "53100".equals(state)) {
            return new InflightException(ErrorCode.RESOURCE_EXHAUSTED, "target: " + doing + " failed: " + e.getMessage()
                    + " [SQLSTATE " + state + "]. The schema is created in one transaction that locks every table it"
                    + " makes: raise max_locks_per_transaction on the target (or free disk space), restart it and rerun",
                    state, e);
        }
        ErrorCode code = state != null && state.startsWith("08") ? ErrorCode.CONNECTION_LOST
                : state != null && (state.equals("42P07") || state.equals("42710")) ? ErrorCode.OBJECT_CONFLICT
                : state != null && state.equals("42501") ? ErrorCode.INSUFFICIENT_PRIVILEGE : ErrorCode.INTERNAL;
        return new InflightException(code, "target: " + doing + " failed: " + e.getMessage()
                + (state == null ? "" : " [SQLSTATE " + state + "]") + detail
                + (code == ErrorCode.CONNECTION_LOST ? ". Rerun the same command to resume" : ""), state, e);
    }

    private static String abbreviate(String sql) {
        String s = sql.replaceAll("\\s+", " ");
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }


}
