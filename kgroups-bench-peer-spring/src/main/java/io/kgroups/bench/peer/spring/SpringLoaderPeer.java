package io.kgroups.bench.peer.spring;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.kgroups.bench.child.ChildProcess;
import io.kgroups.orders.OrderEvent;
import io.kgroups.orders.OrderEventJson;
import io.kgroups.orders.OrderStore;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The storage loader as a Spring Kafka user would write it, the peer of kgroups-bench's
 * {@code loader} benchmark, run by it as a child process:
 *
 * <pre>
 * java -jar kgroups-bench-peer-spring.jar BOOTSTRAP TOPIC GROUP JDBC_URL JDBC_USER CONCURRENCY
 * </pre>
 *
 * <p>A batch listener (what {@code @KafkaListener(batch = "true")} runs on) stores each poll's
 * events with {@code JdbcTemplate.batchUpdate} in one transaction ({@code TransactionTemplate},
 * as {@code @Transactional} would), with the loader's own upsert and reader; {@code AckMode.BATCH}
 * commits the poll's offsets after the listener returned. HikariCP at its defaults (Spring Boot's
 * pool). Loads until killed; the benchmark watches the table. An empty JDBC_USER means none.
 * Exits when its stdin closes, so that it never outlives the benchmark.
 */
public final class SpringLoaderPeer {
    private SpringLoaderPeer() {
    }

    public static void main(String[] args) throws Exception {
        ChildProcess child = new ChildProcess("spring-peer");
        if (args.length != 6) {
            child.fail("usage: BOOTSTRAP TOPIC GROUP JDBC_URL JDBC_USER CONCURRENCY");
        }
        child.exitWhenParentGoes();

        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(args[3]);
        if (!args[4].isEmpty()) {
            pool.setUsername(args[4]);
        }
        HikariDataSource dataSource = new HikariDataSource(pool);
        String upsert;
        try (Connection c = dataSource.getConnection()) {
            upsert = OrderStore.upsertSql(c);
        }
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));

        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0],
                ConsumerConfig.GROUP_ID_CONFIG, args[2],
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        DefaultKafkaConsumerFactory<String, OrderEvent> factory =
                new DefaultKafkaConsumerFactory<>(config, new StringDeserializer(), new OrderEventJson());
        ContainerProperties properties = new ContainerProperties(args[1]);
        properties.setAckMode(ContainerProperties.AckMode.BATCH);
        properties.setMessageListener((BatchMessageListener<String, OrderEvent>) records -> {
            List<OrderEvent> events = records.stream().map(ConsumerRecord::value).toList();
            transaction.executeWithoutResult(status ->
                    jdbc.batchUpdate(upsert, events, events.size(), OrderStore::bindUpsert));
        });
        ConcurrentMessageListenerContainer<String, OrderEvent> container =
                new ConcurrentMessageListenerContainer<>(factory, properties);
        container.setConcurrency(Integer.parseInt(args[5]));
        container.setBeanName("spring-loader");
        // No application context to publish the container's events to.
        container.setApplicationEventPublisher(event -> { });
        container.start();
        while (container.isRunning()) {
            Thread.sleep(100);
        }
        child.fail("the listener container stopped (see its log above)");
    }
}
