package io.kgroups.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The upsert, against H2 and, when one is reachable, PostgreSQL: set KGROUPS_TEST_POSTGRES_URL
 * (e.g. jdbc:postgresql://localhost/postgres) and, if needed, KGROUPS_TEST_POSTGRES_USER and
 * KGROUPS_TEST_POSTGRES_PASSWORD ({@code eval "$(postgres-test/start)"} starts a throw-away server and
 * sets them). Each PostgreSQL test works in a schema of its own and drops it.
 */
class OrderStoreTest {
    static final String PG_URL = System.getenv("KGROUPS_TEST_POSTGRES_URL");
    static final String PG_USER = System.getenv("KGROUPS_TEST_POSTGRES_USER");
    static final String PG_PASSWORD = System.getenv("KGROUPS_TEST_POSTGRES_PASSWORD");
    /** Set by .ci/run, which starts a server: there, a PostgreSQL case must run, not be skipped. */
    static final boolean PG_REQUIRED = Boolean.parseBoolean(System.getenv("KGROUPS_TEST_POSTGRES_REQUIRED"));

    static Stream<String> databases() {
        return Stream.of("h2", "postgresql");
    }

    /** A store on an empty database of the kind; closing it drops what the test made. */
    static final class EmptyStore implements AutoCloseable {
        final OrderStore store;
        private final String schema;

        EmptyStore(String database) throws SQLException {
            if (database.equals("h2")) {
                schema = null;
                store = OrderStore.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null, null, 4, true);
            } else {
                if (PG_URL == null && PG_REQUIRED) {
                    throw new AssertionError("KGROUPS_TEST_POSTGRES_REQUIRED is set but KGROUPS_TEST_POSTGRES_URL is not: "
                            + "start one with eval \"$(postgres-test/start)\"");
                }
                Assumptions.assumeTrue(PG_URL != null, "PostgreSQL not reachable: set KGROUPS_TEST_POSTGRES_URL="
                        + "jdbc:postgresql://HOST/DB (and KGROUPS_TEST_POSTGRES_USER, _PASSWORD) to run the upsert tests on it");
                schema = "kgroups_test_" + UUID.randomUUID().toString().replace("-", "");
                try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD)) {
                    c.createStatement().execute("CREATE SCHEMA " + schema);
                }
                String url = PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
                store = OrderStore.open(url, PG_USER, PG_PASSWORD, 4, true);
            }
        }

        @Override
        public void close() throws SQLException {
            store.close();
            if (schema != null) {
                try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD)) {
                    c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
                }
            }
        }
    }

    static OrderEvent event(String order, long version) {
        return new OrderEvent(order, "c-" + version, OrderEvent.Status.values()[(int) (version % 5)],
                new BigDecimal(version + ".25"), "EUR", version, Instant.parse("2026-11-24T10:00:00Z").plusSeconds(version));
    }

    private static List<OrderStore.Delivery> deliveries(OrderEvent... events) {
        List<OrderStore.Delivery> batch = new ArrayList<>();
        for (OrderEvent e : events) {
            batch.add(new OrderStore.Delivery(e, "orders", 0, batch.size()));
        }
        return batch;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aReplayedBatchChangesNothing(String database) throws SQLException {
        try (EmptyStore db = new EmptyStore(database)) {
            List<OrderStore.Delivery> batch = deliveries(event("o-1", 1), event("o-1", 2), event("o-2", 1), event("o-1", 3));
            // o-1 at 1 and 2 are superseded by o-1 at 3 in the batch: two upserts, both applied
            assertThat(db.store.store(batch)).isEqualTo(new OrderStore.Result(2, 2, 0));
            assertThat(db.store.store(batch)).isEqualTo(new OrderStore.Result(0, 2, 2));
            assertThat(db.store.versions()).isEqualTo(Map.of("o-1", 3L, "o-2", 1L));
            assertThat(db.store.find("o-1")).isEqualTo(event("o-1", 3));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void anOlderVersionArrivingLateDoesNotOverwriteANewerOne(String database) throws SQLException {
        try (EmptyStore db = new EmptyStore(database)) {
            db.store.store(deliveries(event("o-1", 5)));
            assertThat(db.store.store(deliveries(event("o-1", 2), event("o-1", 4), event("o-1", 5))))
                    .isEqualTo(new OrderStore.Result(0, 2, 1));
            assertThat(db.store.find("o-1")).isEqualTo(event("o-1", 5));
            assertThat(db.store.store(deliveries(event("o-1", 6)))).isEqualTo(new OrderStore.Result(1, 0, 0));
            assertThat(db.store.find("o-1")).isEqualTo(event("o-1", 6));
        }
    }

    /**
     * Only each order's newest event of a batch reaches the database, and the row is what upserting
     * every event one by one leaves: on equal versions the first delivered (the upsert changes a row
     * only for a higher version), whatever comes after it, and every delivery is still recorded.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aBatchUpsertsEachOrdersNewestEventAsStoringThemOneByOneWould(String database) throws SQLException {
        OrderEvent first = event("o-1", 4);
        OrderEvent sameVersion = new OrderEvent("o-1", "c-other", OrderEvent.Status.CANCELLED, BigDecimal.TEN, "USD", 4,
                Instant.parse("2026-11-25T10:00:00Z"));
        List<OrderStore.Delivery> batch = deliveries(event("o-1", 3), first, event("o-2", 9), sameVersion, event("o-1", 2),
                event("o-2", 8));
        try (EmptyStore db = new EmptyStore(database); EmptyStore oneByOne = new EmptyStore(database)) {
            assertThat(db.store.store(batch)).isEqualTo(new OrderStore.Result(2, 4, 0));
            for (OrderStore.Delivery delivery : batch) {
                oneByOne.store.store(List.of(delivery));
            }
            for (String order : List.of("o-1", "o-2")) {
                assertThat(db.store.find(order)).as(order).isEqualTo(oneByOne.store.find(order));
            }
            assertThat(db.store.find("o-1")).isEqualTo(first);
            List<Long> delivered = new ArrayList<>();
            db.store.forEachDelivery((topic, partition, offset, at) -> delivered.add(offset));
            assertThat(delivered).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void anyOrderAndAnyNumberOfCopiesEndAtTheHighestVersion(String database) throws SQLException {
        try (EmptyStore db = new EmptyStore(database)) {
            Random random = new Random(7);
            List<OrderEvent> events = new ArrayList<>();
            Map<String, Long> highest = new HashMap<>();
            for (int order = 0; order < 40; order++) {
                int versions = 1 + random.nextInt(6);
                for (int v = 1; v <= versions; v++) {
                    int copies = 1 + random.nextInt(3);
                    for (int c = 0; c < copies; c++) {
                        events.add(event("o-" + order, v));
                    }
                }
                highest.put("o-" + order, (long) versions);
            }
            Collections.shuffle(events, random);
            for (int from = 0; from < events.size(); from += 17) {
                db.store.store(deliveries(events.subList(from, Math.min(events.size(), from + 17)).toArray(OrderEvent[]::new)));
            }
            assertThat(db.store.versions()).isEqualTo(highest);
            for (Map.Entry<String, Long> e : highest.entrySet()) {
                assertThat(db.store.find(e.getKey())).isEqualTo(event(e.getKey(), e.getValue()));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aBatchThatFailsStoresNothingOfIt(String database) throws SQLException {
        try (EmptyStore db = new EmptyStore(database)) {
            OrderEvent tooLong = new OrderEvent("o-2", "c".repeat(65), OrderEvent.Status.PAID, BigDecimal.ONE, "EUR", 1,
                    Instant.parse("2026-11-24T10:00:00Z"));
            assertThatThrownBy(() -> db.store.store(deliveries(event("o-1", 1), tooLong))).isInstanceOf(SQLException.class);
            assertThat(db.store.versions()).isEmpty();
            List<Long> delivered = new ArrayList<>();
            db.store.forEachDelivery((topic, partition, offset, at) -> delivered.add(offset));
            assertThat(delivered).isEmpty();
            db.store.store(deliveries(event("o-1", 1)));
            db.store.forEachDelivery((topic, partition, offset, at) -> delivered.add(offset));
            assertThat(delivered).containsExactly(0L);
        }
    }

    @org.junit.jupiter.api.Test
    void aDatabaseThatCannotBeReachedIsNamedInTheError() {
        assertThatThrownBy(() -> OrderStore.open("jdbc:postgresql://127.0.0.1:1/nowhere", "u", "secret-password", 2, false))
                .isInstanceOf(OrderStoreException.class)
                .hasMessageContaining("cannot connect to jdbc:postgresql://127.0.0.1:1/nowhere")
                .hasMessageContaining("check the JDBC URL")
                .hasMessageNotContaining("secret-password");
    }
}
