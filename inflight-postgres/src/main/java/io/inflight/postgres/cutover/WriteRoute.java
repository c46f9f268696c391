package io.inflight.postgres.cutover;

/**
 * How the application's writes reach one side or the other: through PgBouncer ({@link PgBouncerRoute}), or straight
 * to the database, fenced by making it read-only ({@link ReadOnlyRoute}). Methods block; idempotent, so that a rerun
 * after a crash may repeat them. A route may hold a session from {@link #prepare} to {@link #close}.
 */
interface WriteRoute extends AutoCloseable {

    /** Opens what the fence, flip and resume need, so that none of it happens while writes wait. */
    default void prepare() {
    }

    /** Stops writes reaching the side they go to now; returns once its running write transactions have ended. */
    void fence();

    /** Makes writes go to the other side once they flow again. */
    void flip();

    /** Lets writes flow again, to wherever they are routed now. */
    void resume();

    /** Undoes {@link #fence} before any {@link #flip}: writes flow to the old side again. */
    void unfence();

    /** What the application has to do, if anything, once the switch is done (empty: nothing). */
    String afterwards();

    @Override
    default void close() {
    }
}
