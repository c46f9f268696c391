package io.inflight.cli.metrics;

import com.sun.net.httpserver.HttpServer;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.TableId;
import io.inflight.core.progress.ProgressListener;
import io.inflight.postgres.apply.ApplyStats;
import io.inflight.postgres.stream.StreamStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * A Prometheus endpoint ({@code GET /metrics}) for a running job: rows copied, row changes applied, lag, batch
 * counts, warnings and the WAL the slot holds. Holds no secret: endpoints appear nowhere in it.
 *
 * <p>Thread-safe. Close it to stop serving.
 */
public final class MetricsServer implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer http;
    private final AtomicReference<StreamStatus> stream = new AtomicReference<>();

    private MetricsServer(HttpServer http) {
        this.http = http;
    }

    /** Serves on {@code address:port} (port 0: any free one; see {@link #port()}). */
    public static MetricsServer start(String address, int port) {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(address, port), 0);
            MetricsServer m = new MetricsServer(http);
            http.createContext("/metrics", exchange -> {
                byte[] body = m.registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            http.setExecutor(null);
            http.start();
            m.registerStream();
            return m;
        } catch (IOException e) {
            throw new InflightException(ErrorCode.INVALID_CONFIGURATION, "cannot serve metrics on " + address + ":"
                    + port + " (" + e.getMessage() + "); choose another --metrics-port", e);
        }
    }

    /** Keeps the stream's counters reachable for as long as this server serves them. */
    private volatile ApplyStats streamStats;

    public int port() {
        return http.getAddress().getPort();
    }

    /** Counts what a clone copies. */
    public ProgressListener progress() {
        Counter rows = Counter.builder("inflight.copy.rows").description("Rows copied by the clone").register(registry);
        Counter bytes = Counter.builder("inflight.copy.bytes").description("Bytes copied by the clone")
                .baseUnit("bytes").register(registry);
        Counter tables = Counter.builder("inflight.copy.tables").description("Tables whose copy finished")
                .register(registry);
        Counter warnings = Counter.builder("inflight.warnings").description("Warnings raised").register(registry);
        return new ProgressListener() {
            @Override
            public void tableProgress(TableId table, long rowsDelta, long bytesDelta) {
                rows.increment(rowsDelta);
                bytes.increment(bytesDelta);
            }

            @Override
            public void tableFinished(TableId table, long r, long b) {
                tables.increment();
            }

            @Override
            public void warning(String message) {
                warnings.increment();
            }
        };
    }

    /** Exposes a running stream's counters. */
    public void stream(ApplyStats stats) {
        // Micrometer holds a function counter's object weakly: once the finished job was collected the counters
        // read 0, while a last scrape should still see what the stream did.
        streamStats = stats;
        counter("inflight.apply.changes", "Row changes applied to the target", stats, ApplyStats::changes);
        counter("inflight.apply.transactions", "Source transactions committed on the target", stats,
                ApplyStats::transactions);
        counter("inflight.apply.batches", "Target transactions committed by the applier", stats, ApplyStats::batches);
        counter("inflight.apply.missing.rows", "Updates and deletes that found no row on the target", stats,
                ApplyStats::missingRows);
        counter("inflight.apply.set.changes", "Row changes applied through their net effect per table", stats,
                ApplyStats::setChanges);
        counter("inflight.apply.ordered.fallbacks", "Net-effect applications replaced by ordered ones", stats,
                ApplyStats::orderedFallbacks);
        DistributionSummary batchSizes = DistributionSummary.builder("inflight.apply.batch.changes")
                .description("Row changes per target transaction").publishPercentiles(0.5, 0.99).register(registry);
        stats.observeBatches(batchSizes::record);
    }

    /** The latest stream status, for the lag gauges. */
    public void streamStatus(StreamStatus status) {
        stream.set(status);
    }

    private void registerStream() {
        gauge("inflight.stream.lag.bytes", "WAL the target is behind the source", s -> s.lagBytes());
        gauge("inflight.stream.lag.seconds", "Age of the oldest source change not yet applied",
                s -> s.lagTime().toMillis() / 1000.0);
        gauge("inflight.stream.applied.lsn", "Source LSN applied up to (as a number)", s -> s.appliedLsn().value());
        gauge("inflight.slot.retained.wal.bytes", "WAL the slot holds back on the source",
                s -> s.retainedWalBytes().map(Long::doubleValue).orElse(Double.NaN));
        gauge("inflight.apply.changes.per.second", "Row changes applied per second, last interval",
                StreamStatus::changesPerSecond);
    }

    private void gauge(String name, String description, ToDoubleFunction<StreamStatus> f) {
        Gauge.builder(name, stream, ref -> ref.get() == null ? Double.NaN : f.applyAsDouble(ref.get()))
                .description(description).strongReference(true).register(registry);
    }

    private void counter(String name, String description, ApplyStats stats, ToDoubleFunction<ApplyStats> f) {
        FunctionCounter.builder(name, stats, f).description(description).register(registry);
    }

    /** The exposition text, as a scrape would get it. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        http.stop(0);
        registry.close();
    }
}
