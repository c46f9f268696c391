package io.inflight.bench;

/** The two appliers the stream benchmark compares, and where each one's progress can be read. */
enum Appliers {
    INFLIGHT("inflight stream", InflightStream.SLOT,
            "SELECT applied_lsn::text FROM inflight.stream_position"),
    NATIVE("native subscription", NativeSubscription.NAME, NativeSubscription.appliedLsnQuery());

    final String label;
    /** Its replication slot on the source. */
    final String slot;
    /** SQL on its target database: the end LSN of the last source transaction it committed there. */
    final String appliedLsnQuery;

    Appliers(String label, String slot, String appliedLsnQuery) {
        this.label = label;
        this.slot = slot;
        this.appliedLsnQuery = appliedLsnQuery;
    }
}
