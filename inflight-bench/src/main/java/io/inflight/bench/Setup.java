package io.inflight.bench;

import io.inflight.testkit.PostgresServer;
import java.nio.file.Path;

/**
 * What every tool of a benchmark run shares: the source server and its dataset, the target server,
 * a scratch directory, and the number of parallel jobs each tool is given.
 */
record Setup(PostgresServer source, Dataset dataset, PostgresServer target, Path workDir, int jobs) {

    String sourceDatabase() {
        return dataset.database();
    }
}
