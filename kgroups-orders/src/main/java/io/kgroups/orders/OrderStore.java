package io.kgroups.orders;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code orders} table, through a connection pool. {@link #store} writes a batch of events in
 * one transaction with an upsert keyed by {@code order_id} that keeps the highest
 * {@code event_version}: a replayed, duplicated or late event never changes the result, so the
 * loader can be at-least-once and the table still exact. Works with H2 and PostgreSQL.
 *
 * <p>With {@code recordDeliveries}, every stored event also leaves a row in
 * {@code order_deliveries} (topic, partition, offset, when) in the same transaction: the proof that
 * the demo and the chaos test read to count records lost and records handled more than once.
 */
public final class OrderStore implements AutoCloseable {
    /** An event and where it was read from. */
    public record Delivery(OrderEvent event, String topic, int partition, long offset) { }

    /**
     * What a batch did: events that changed a row; events superseded by a newer event of their order
     * in the same batch (not sent to the database: the row ends at the newer one either way); and
     * events the upsert absorbed (not newer than the row).
     */
    public record Result(int applied, int superseded, int absorbed) { }

    private enum Dialect { H2, POSTGRESQL }

    // The casts name types without a length or scale: a cast to VARCHAR(64) or DECIMAL(19,4) (or to
    // NUMERIC, scale 0) cuts or rounds a value silently, where the column refuses it.
    private static final String H2_UPSERT = """
            MERGE INTO orders t
            USING (VALUES (CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS DECFLOAT),
                           CAST(? AS VARCHAR), CAST(? AS BIGINT), CAST(? AS TIMESTAMP WITH TIME ZONE)))
              AS s(order_id, customer_id, status, amount, currency, event_version, occurred_at)
            ON t.order_id = s.order_id
            WHEN MATCHED AND t.event_version < s.event_version THEN UPDATE SET
              customer_id = s.customer_id, status = s.status, amount = s.amount, currency = s.currency,
              event_version = s.event_version, occurred_at = s.occurred_at, loaded_at = CURRENT_TIMESTAMP
            WHEN NOT MATCHED THEN INSERT (order_id, customer_id, status, amount, currency, event_version, occurred_at, loaded_at)
              VALUES (s.order_id, s.customer_id, s.status, s.amount, s.currency, s.event_version, s.occurred_at, CURRENT_TIMESTAMP)
            """;
    private static final String POSTGRESQL_UPSERT = """
            INSERT INTO orders (order_id, customer_id, status, amount, currency, event_version, occurred_at, loaded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)
            ON CONFLICT (order_id) DO UPDATE SET
              customer_id = EXCLUDED.customer_id, status = EXCLUDED.status, amount = EXCLUDED.amount,
              currency = EXCLUDED.currency, event_version = EXCLUDED.event_version, occurred_at = EXCLUDED.occurred_at,
              loaded_at = EXCLUDED.loaded_at
            WHERE orders.event_version < EXCLUDED.event_version
            """;
    private static final String CREATE_ORDERS = """
            CREATE TABLE IF NOT EXISTS orders (
              order_id VARCHAR(64) PRIMARY KEY,
              customer_id VARCHAR(64) NOT NULL,
              status VARCHAR(16) NOT NULL,
              amount DECIMAL(19,4) NOT NULL,
              currency CHAR(3) NOT NULL,
              event_version BIGINT NOT NULL,
              occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
              loaded_at TIMESTAMP WITH TIME ZONE NOT NULL)
            """;
    private static final String CREATE_DELIVERIES = """
            CREATE TABLE IF NOT EXISTS order_deliveries (
              topic VARCHAR(249) NOT NULL,
              partition_id INT NOT NULL,
              record_offset BIGINT NOT NULL,
              loaded_at_ms BIGINT NOT NULL)
            """;
    /** For "first record stored after a kill, per partition" (the recovery time of the demo and the chaos test). */
    private static final String INDEX_DELIVERIES =
            "CREATE INDEX IF NOT EXISTS order_deliveries_loaded_at ON order_deliveries (loaded_at_ms, partition_id)";
    private static final String INSERT_DELIVERY =
            "INSERT INTO order_deliveries (topic, partition_id, record_offset, loaded_at_ms) VALUES (?, ?, ?, ?)";

    private final HikariDataSource pool;
    private final Dialect dialect;
    private final boolean recordDeliveries;

    private OrderStore(HikariDataSource pool, Dialect dialect, boolean recordDeliveries) {
        this.pool = pool;
        this.dialect = dialect;
        this.recordDeliveries = recordDeliveries;
    }

    /**
     * Opens a pool of {@code poolSize} connections to {@code jdbcUrl} and creates the tables if
     * missing. {@code user} and {@code password} may be null (H2 defaults to user "sa").
     */
    public static OrderStore open(String jdbcUrl, String user, String password, int poolSize, boolean recordDeliveries) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        // A fixed-size pool (HikariCP's advice): with 2 idle, the first batches of every partition waited
        // while the pool opened connections one at a time, just when a loader starts on a backlog.
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(poolSize);
        config.setPoolName("kgroups-orders");
        config.setAutoCommit(false);
        // Fail the start with the database's own message rather than waiting 30 s.
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(10_000);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            // Hikari's message carries the driver's ("Failed to initialize pool: Connection refused").
            throw new OrderStoreException("cannot connect to " + jdbcUrl + ": " + e.getMessage()
                    + " (check the JDBC URL, user and password, and that the database is up)", e);
        }
        try (Connection c = pool.getConnection()) {
            Dialect dialect = dialect(c);
            if (dialect == null) {
                throw new OrderStoreException("the database at " + jdbcUrl + " is " + c.getMetaData().getDatabaseProductName()
                        + "; the storage loader supports H2 and PostgreSQL", null);
            }
            try (Statement s = c.createStatement()) {
                if (dialect == Dialect.H2) {
                    // H2 writes commits to its file up to 500 ms later by default: a killed process then
                    // loses stored rows whose offsets may already be committed. Write on commit.
                    s.execute("SET WRITE_DELAY 0");
                }
                s.execute(CREATE_ORDERS);
                if (recordDeliveries) {
                    s.execute(CREATE_DELIVERIES);
                    s.execute(INDEX_DELIVERIES);
                }
            }
            c.commit();
            return new OrderStore(pool, dialect, recordDeliveries);
        } catch (SQLException | RuntimeException e) {
            pool.close();
            if (e instanceof OrderStoreException known) {
                throw known;
            }
            throw new OrderStoreException("cannot create the orders table at " + jdbcUrl + ": " + e.getMessage(), e);
        }
    }

    /** H2 or PostgreSQL; null for another database. */
    private static Dialect dialect(Connection c) throws SQLException {
        String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
        return product.contains("h2") ? Dialect.H2 : product.contains("postgresql") ? Dialect.POSTGRESQL : null;
    }

    /**
     * The upsert of one event on the database of {@code c} (its parameters set by {@link #bindUpsert}):
     * for code that stores events its own way with the loader's SQL, such as the benchmark's peers.
     */
    public static String upsertSql(Connection c) throws SQLException {
        Dialect dialect = dialect(c);
        if (dialect == null) {
            throw new IllegalArgumentException("the upsert is written for H2 and PostgreSQL, not for "
                    + c.getMetaData().getDatabaseProductName());
        }
        return dialect == Dialect.H2 ? H2_UPSERT : POSTGRESQL_UPSERT;
    }

    /** Sets the parameters of {@link #upsertSql} to {@code e}. */
    public static void bindUpsert(PreparedStatement upsert, OrderEvent e) throws SQLException {
        upsert.setString(1, e.orderId());
        upsert.setString(2, e.customerId());
        upsert.setString(3, e.status().name());
        upsert.setBigDecimal(4, e.amount());
        upsert.setString(5, e.currency());
        upsert.setLong(6, e.eventVersion());
        upsert.setObject(7, e.occurredAt().atOffset(ZoneOffset.UTC));
    }

    /**
     * Stores a batch in one transaction; all or nothing. Events of one order may come in any
     * order and any number of times: the row ends at the highest version. Only each order's
     * newest event of the batch is upserted (see {@link #newestPerOrder}).
     */
    public Result store(List<Delivery> batch) throws SQLException {
        List<OrderEvent> newest = newestPerOrder(batch);
        try (Connection c = pool.getConnection()) {
            try {
                int applied = 0;
                try (PreparedStatement upsert = c.prepareStatement(dialect == Dialect.H2 ? H2_UPSERT : POSTGRESQL_UPSERT)) {
                    for (OrderEvent event : newest) {
                        bindUpsert(upsert, event);
                        upsert.addBatch();
                    }
                    for (int count : upsert.executeBatch()) {
                        // SUCCESS_NO_INFO (-2) would hide the split; H2 and PostgreSQL both report counts.
                        applied += count > 0 ? 1 : 0;
                    }
                }
                if (recordDeliveries) {
                    long now = System.currentTimeMillis();
                    try (PreparedStatement insert = c.prepareStatement(INSERT_DELIVERY)) {
                        for (Delivery delivery : batch) {
                            insert.setString(1, delivery.topic());
                            insert.setInt(2, delivery.partition());
                            insert.setLong(3, delivery.offset());
                            insert.setLong(4, now);
                            insert.addBatch();
                        }
                        insert.executeBatch();
                    }
                }
                c.commit();
                return new Result(applied, batch.size() - newest.size(), newest.size() - applied);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Each order's event of the highest version in the batch (the first delivered of equal ones,
     * as the upsert keeps the first), in the order of each order's first event: what upserting
     * the whole batch would leave in the table, in fewer statements. An order's events come in
     * runs (the seed's workload: about three per order in a partition's batch of 500), and each
     * statement costs the database and the loader alike.
     */
    static List<OrderEvent> newestPerOrder(List<Delivery> batch) {
        Map<String, OrderEvent> newest = new LinkedHashMap<>(batch.size() * 2);
        for (Delivery delivery : batch) {
            newest.merge(delivery.event().orderId(), delivery.event(),
                    (kept, later) -> later.eventVersion() > kept.eventVersion() ? later : kept);
        }
        return new ArrayList<>(newest.values());
    }

    /** Every row's version, by order id. */
    public Map<String, Long> versions() throws SQLException {
        Map<String, Long> versions = new HashMap<>();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT order_id, event_version FROM orders")) {
            while (rows.next()) {
                versions.put(rows.getString(1), rows.getLong(2));
            }
            c.commit();
        }
        return versions;
    }

    /** One stored row, or null. */
    public OrderEvent find(String orderId) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT customer_id, status, amount, currency, event_version, occurred_at FROM orders WHERE order_id = ?")) {
            s.setString(1, orderId);
            try (ResultSet row = s.executeQuery()) {
                OrderEvent found = row.next() ? new OrderEvent(orderId, row.getString(1), OrderEvent.Status.valueOf(row.getString(2)),
                        row.getBigDecimal(3).stripTrailingZeros(), row.getString(4), row.getLong(5),
                        row.getObject(6, java.time.OffsetDateTime.class).toInstant()) : null;
                c.commit();
                return found;
            }
        }
    }

    /**
     * Per partition, the time of the first record stored after {@code afterMs} (only with
     * recordDeliveries): when a group was processing a partition again.
     */
    public Map<Integer, Long> firstStoredAfter(long afterMs) throws SQLException {
        Map<Integer, Long> first = new HashMap<>();
        try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT partition_id, MIN(loaded_at_ms) FROM order_deliveries WHERE loaded_at_ms > ? GROUP BY partition_id")) {
            s.setLong(1, afterMs);
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    first.put(rows.getInt(1), rows.getLong(2));
                }
            }
            c.commit();
        }
        return first;
    }

    /** The rows of {@code order_deliveries} (only with recordDeliveries): topic, partition, offset, loaded at. */
    public void forEachDelivery(DeliveryVisitor visitor) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT topic, partition_id, record_offset, loaded_at_ms FROM order_deliveries")) {
            while (rows.next()) {
                visitor.visit(rows.getString(1), rows.getInt(2), rows.getLong(3), rows.getLong(4));
            }
            c.commit();
        }
    }

    /** Receives the rows of {@link #forEachDelivery}. */
    @FunctionalInterface
    public interface DeliveryVisitor {
        void visit(String topic, int partition, long offset, long loadedAtMs);
    }

    public boolean recordsDeliveries() {
        return recordDeliveries;
    }

    @Override
    public void close() {
        pool.close();
    }
}
