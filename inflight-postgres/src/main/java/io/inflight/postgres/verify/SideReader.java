package io.inflight.postgres.verify;

import io.inflight.core.Lsn;
import io.inflight.postgres.schema.ColumnInfo;
import io.inflight.postgres.schema.TableInfo;
import io.inflight.postgres.snapshot.CopyRange;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The reads of one table on one side, each in a transaction of its own from the side's pool. On the source
 * every read also notes the WAL insert position at its snapshot: everything it saw committed before that LSN,
 * which live mode waits for the target to pass. Thread-safe.
 */
final class SideReader {

    /** Keys per statement when reading rows back by key. */
    static final int KEYS_PER_STATEMENT = 500;
    /** Rows per network round trip when streaming. */
    static final int FETCH_SIZE = 10_000;

    /** Bucket sums of a slice and, on the source, the LSN its snapshot was taken at. */
    record SliceRead(BucketSums sums, Optional<Lsn> lsn) {
    }

    /** Rows read back by id, and the LSN of the read's snapshot on the source. */
    record Read(Map<String, RowEntry> rows, Optional<Lsn> lsn) {
    }

    private final TableSql sql;
    private final TableInfo info;
    private final SidePool pool;
    private final boolean source;

    SideReader(TableSql sql, TableInfo sideInfo, SidePool pool, boolean source) {
        this.sql = sql;
        this.info = sideInfo;
        this.pool = pool;
        this.source = source;
    }

    SidePool pool() {
        return pool;
    }

    TableInfo info() {
        return info;
    }

    SliceRead bucketSums(CopyRange slice) {
        return pool.inTransaction("hashing " + info.id(), c -> {
            Optional<Lsn> lsn = snapshotLsn(c);
            BucketSums sums = new BucketSums();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.bucketSums(slice.predicate()))) {
                while (rs.next()) {
                    sums.add(rs.getLong(1), rs.getLong(2), rs.getBigDecimal(3).toBigIntegerExact());
                }
            }
            return new SliceRead(sums, lsn);
        });
    }

    /** Rows, hash sum and key bounds of an integer key range (see {@link TableSql#rangeSums}). */
    record Span(long rows, BigInteger hashes, BigInteger min, BigInteger max) {

        static final Span EMPTY = new Span(0, BigInteger.ZERO, null, null);

        boolean sameRows(Span other) {
            return rows == other.rows && hashes.equals(other.hashes);
        }
    }

    Span rangeSums(CopyRange range) {
        return pool.inTransaction("hashing " + info.id(), c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.rangeSums(range.predicate()))) {
                rs.next();
                return span(rs, 1);
            }
        });
    }

    /** Per sub-range number, its span (see {@link TableSql#subrangeSums}); empty sub-ranges left out. */
    Map<Long, Span> subrangeSums(BigInteger lo, BigInteger hi, BigInteger width) {
        return pool.inTransaction("comparing key ranges of " + info.id(), c -> {
            Map<Long, Span> out = new HashMap<>();
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL enable_sort = off");
                try (ResultSet rs = s.executeQuery(sql.subrangeSums(lo, hi, width))) {
                    while (rs.next()) {
                        out.put(rs.getLong(1), span(rs, 2));
                    }
                }
            }
            return out;
        });
    }

    private static Span span(ResultSet rs, int first) throws SQLException {
        long rows = rs.getLong(first);
        if (rows == 0) {
            return Span.EMPTY;
        }
        return new Span(rows, rs.getBigDecimal(first + 1).toBigIntegerExact(), new BigInteger(rs.getString(first + 2)),
                new BigInteger(rs.getString(first + 3)));
    }

    /** Opens the ordered rows meeting {@code condition} on {@code c} (see {@link TableSql#rowsWhere}). */
    ResultSet openRowsWhere(Connection c, String condition) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql.rowsWhere(condition));
        ps.setFetchSize(FETCH_SIZE);
        ps.closeOnCompletion();
        return ps.executeQuery();
    }

    /** Starts this transaction's snapshot and returns the WAL position at it (source only). */
    Optional<Lsn> snapshotLsn(Connection c) throws SQLException {
        if (!source) {
            return Optional.empty();
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Optional.of(Lsn.parse(rs.getString(1)));
        }
    }

    /** Opens the ordered rows of {@code buckets} on {@code c} (in a transaction: the cursor streams). */
    ResultSet openRowsOfBuckets(Connection c, Collection<Long> buckets) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql.rowsOfBuckets());
        ps.setFetchSize(FETCH_SIZE);
        ps.closeOnCompletion();
        ps.setArray(1, c.createArrayOf("bigint", buckets.toArray(new Long[0])));
        return ps.executeQuery();
    }

    /** The rows of a result of {@link #openRowsOfBuckets}, one at a time. */
    Iterator<RowEntry> entries(ResultSet rs) {
        return new Iterator<>() {
            private RowEntry next = fetch();

            private RowEntry fetch() {
                try {
                    return rs.next() ? entry(rs) : null;
                } catch (SQLException e) {
                    throw new SqlFailure(e);
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public RowEntry next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                RowEntry out = next;
                next = fetch();
                return out;
            }
        };
    }

    private RowEntry entry(ResultSet rs) throws SQLException {
        if (!sql.keyed()) {
            return RowEntry.multiset(rs.getLong(1), rs.getLong(2));
        }
        List<String> key = new ArrayList<>(sql.keyColumns().size());
        for (int i = 0; i < sql.keyColumns().size(); i++) {
            key.add(rs.getString(4 + i));
        }
        return new RowEntry(rs.getLong(1), rs.getString(2), key, rs.getLong(3), 1);
    }

    /**
     * The current rows of these keys (or distinct rows), read in one snapshot taken once the table is locked
     * (ACCESS SHARE, as any read takes): TRUNCATE is not MVCC-safe, and a snapshot taken before a TRUNCATE
     * commits but reading the table after would see it empty. With the lock first, a TRUNCATE either committed
     * before the snapshot or waits for this read.
     */
    Read byIds(Collection<RowEntry> wanted) {
        return pool.inTransaction("re-reading rows of " + info.id(), c -> {
            try (Statement s = c.createStatement()) {
                s.execute("LOCK TABLE ONLY " + sql.table().quoted() + " IN ACCESS SHARE MODE");
            }
            Optional<Lsn> lsn = snapshotLsn(c);
            Map<String, RowEntry> out = new HashMap<>();
            if (sql.keyed()) {
                for (List<List<String>> batch : batches(wanted.stream().map(RowEntry::key).toList())) {
                    try (Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery(sql.rowsByKeys(batch, keyTypes()))) {
                        while (rs.next()) {
                            List<String> key = new ArrayList<>();
                            for (int i = 0; i < sql.keyColumns().size(); i++) {
                                key.add(rs.getString(3 + i));
                            }
                            out.put(rs.getString(1), new RowEntry(0, rs.getString(1), key, rs.getLong(2), 1));
                        }
                    }
                }
            } else {
                try (PreparedStatement ps = c.prepareStatement(sql.rowsByHashes())) {
                    ps.setArray(1, c.createArrayOf("bigint", wanted.stream().map(RowEntry::hash).toArray(Long[]::new)));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            RowEntry e = RowEntry.multiset(rs.getLong(1), rs.getLong(2));
                            out.put(e.id(), e);
                        }
                    }
                }
            }
            return new Read(out, lsn);
        });
    }

    /** Per key text, each column's text (see {@link TableSql#columnsByKeys}). */
    Map<String, List<String>> columnTexts(List<List<String>> keys) {
        return pool.inTransaction("reading differing rows of " + info.id(), c -> {
            Map<String, List<String>> out = new HashMap<>();
            for (List<List<String>> batch : batches(keys)) {
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery(sql.columnsByKeys(batch, keyTypes()))) {
                    while (rs.next()) {
                        List<String> cols = new ArrayList<>(sql.columns().size());
                        for (int i = 0; i < sql.columns().size(); i++) {
                            cols.add(rs.getString(2 + i));
                        }
                        out.put(rs.getString(1), cols);
                    }
                }
            }
            return out;
        });
    }

    /** One row text per row hash, for showing multiset differences. */
    Map<Long, String> rowTexts(Collection<Long> hashes) {
        return pool.inTransaction("reading rows of " + info.id(), c -> {
            Map<Long, String> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(sql.rowTextsByHashes())) {
                ps.setArray(1, c.createArrayOf("bigint", hashes.toArray(new Long[0])));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getLong(1), rs.getString(2));
                    }
                }
            }
            return out;
        });
    }

    /** The key columns' types on this side, for literals its operators compare. */
    private List<String> keyTypes() {
        Map<String, String> types = info.columns().stream().collect(Collectors.toMap(ColumnInfo::name, ColumnInfo::type));
        return sql.keyColumns().stream().map(types::get).toList();
    }

    private static <T> List<List<T>> batches(List<T> items) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i += KEYS_PER_STATEMENT) {
            out.add(items.subList(i, Math.min(items.size(), i + KEYS_PER_STATEMENT)));
        }
        return out;
    }

    /** A SQLException thrown where the interface allows none (an iterator); unwrapped by the caller. */
    static final class SqlFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SqlFailure(SQLException cause) {
            super(cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }
}
