package io.inflight.cli;

import io.inflight.cli.progress.ConsoleProgress;
import io.inflight.postgres.clone.CloneJob;
import io.inflight.postgres.clone.CloneOptions;
import io.inflight.postgres.clone.CloneResult;
import io.inflight.postgres.connect.PgConnector;
import io.inflight.postgres.connect.PgErrors;
import io.inflight.postgres.connect.Side;
import io.inflight.postgres.schema.TableCatalog;
import io.inflight.postgres.schema.TableInfo;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;

/** Runs a {@link CloneJob} behind a progress display; used by {@code clone} and {@code demo}. */
public final class Cloning {

    private Cloning() {
    }

    /** Blocks until the clone ends; its InflightException, if any, passes through unchanged. */
    public static CloneResult run(CloneOptions options, boolean quiet, PrintWriter err) {
        try (ConsoleProgress progress = ConsoleProgress.start(quiet, err)) {
            plan(options, progress);
            return new CloneJob(options, progress).run();
        }
    }

    /**
     * Reads the source's tables and their size estimates so the display can show totals and an ETA
     * from the first second. It is also the earliest check that the source is reachable with these
     * credentials, before anything is created anywhere.
     */
    private static void plan(CloneOptions options, ConsoleProgress progress) {
        PgConnector connector = new PgConnector(Side.SOURCE, options.source());
        try (Connection c = connector.open()) {
            for (TableInfo t : TableCatalog.read(c, options.schemas())) {
                if (t.holdsRows()) {
                    progress.expect(t.id(), t.estimatedRows(), t.estimatedBytes());
                }
            }
        } catch (SQLException e) {
            throw PgErrors.translate(e, connector, "reading the tables to copy");
        }
    }
}
