package io.inflight.postgres.cutover;

import io.inflight.core.Endpoint;
import io.inflight.postgres.apply.ApplyOptions;
import java.time.Duration;
import java.util.Optional;

/**
 * What a cutover or rollback is asked to do. Immutable.
 *
 * @param source       the migration's source (where writes go before the cutover)
 * @param target       the migration's target (where they go after it)
 * @param pgbouncer    the PgBouncer the application writes through; empty: fence by making the old side read-only
 * @param maxLag       refuse to start while the stream is further behind than this, in bytes of source WAL
 * @param force        skip the lag, running-stream and verify checks (the cutover catches up by itself)
 * @param finalCheck   compare row counts of every table after the drain, before the flip
 * @param drainTimeout how long catching up, and the drain after the fence, may take before the run is undone
 * @param abort        undo a half-done run instead of continuing it (only before its flip)
 * @param verifyMaxAge a cutover needs an {@code inflight verify} that finished clean this recently, after the clone
 * @param verifyCheck  whether a cutover requires that verify (off: {@code --skip-verify-check}, or {@code force})
 */
public record SwitchOptions(Endpoint source, Endpoint target, Optional<PgBouncerSettings> pgbouncer, long maxLag,
                            boolean force, boolean finalCheck, Duration drainTimeout, ApplyOptions apply,
                            boolean abort, Duration verifyMaxAge, boolean verifyCheck) {

    public static final long DEFAULT_MAX_LAG = 16L << 20;
    public static final Duration DEFAULT_VERIFY_MAX_AGE = Duration.ofHours(24);

    public SwitchOptions(Endpoint source, Endpoint target, Optional<PgBouncerSettings> pgbouncer, long maxLag,
                         boolean force, boolean finalCheck, Duration drainTimeout, ApplyOptions apply, boolean abort) {
        this(source, target, pgbouncer, maxLag, force, finalCheck, drainTimeout, apply, abort, DEFAULT_VERIFY_MAX_AGE,
                true);
    }

    public static SwitchOptions defaults(Endpoint source, Endpoint target) {
        return new SwitchOptions(source, target, Optional.empty(), DEFAULT_MAX_LAG, false, true,
                Duration.ofSeconds(60), ApplyOptions.DEFAULT, false);
    }

    public SwitchOptions withVerifyCheck(boolean required, Duration maxAge) {
        return new SwitchOptions(source, target, pgbouncer, maxLag, force, finalCheck, drainTimeout, apply, abort,
                maxAge, required);
    }

    public SwitchOptions withFinalCheck(boolean f) {
        return new SwitchOptions(source, target, pgbouncer, maxLag, force, f, drainTimeout, apply, abort,
                verifyMaxAge, verifyCheck);
    }

    public SwitchOptions withPgBouncer(PgBouncerSettings s) {
        return new SwitchOptions(source, target, Optional.of(s), maxLag, force, finalCheck, drainTimeout, apply,
                abort, verifyMaxAge, verifyCheck);
    }

    public SwitchOptions withForce(boolean f) {
        return new SwitchOptions(source, target, pgbouncer, maxLag, f, finalCheck, drainTimeout, apply, abort,
                verifyMaxAge, verifyCheck);
    }

    public SwitchOptions withMaxLag(long bytes) {
        return new SwitchOptions(source, target, pgbouncer, bytes, force, finalCheck, drainTimeout, apply, abort,
                verifyMaxAge, verifyCheck);
    }

    public SwitchOptions withAbort(boolean a) {
        return new SwitchOptions(source, target, pgbouncer, maxLag, force, finalCheck, drainTimeout, apply, a,
                verifyMaxAge, verifyCheck);
    }
}
