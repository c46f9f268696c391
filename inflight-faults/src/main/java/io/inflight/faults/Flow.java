package io.inflight.faults;

import io.inflight.testkit.PostgresServer;

/**
 * Which way an episode's stream runs: from the database writes go to, through a slot there, into the one that
 * follows. Before a cutover that is the source into the episode's target database; after it, the stream back.
 *
 * @param from   the server writes go to (and the slot is on)
 * @param fromDb its database
 * @param to     the server the stream applies to (and stores its position on, in {@code inflight.stream_position})
 * @param toDb   its database
 * @param slot   the stream's slot on {@code from}
 */
record Flow(PostgresServer from, String fromDb, PostgresServer to, String toDb, String slot) {

    static Flow forward(Rig rig, String db, String slot) {
        return new Flow(rig.source, Rig.SOURCE_DB, rig.target, db, slot);
    }

    /** The stream back after a cutover; its slot is named as {@code ReverseStream} names it. */
    static Flow reverse(Rig rig, String db, String slot) {
        return new Flow(rig.target, db, rig.source, Rig.SOURCE_DB, slot + "_reverse");
    }
}
