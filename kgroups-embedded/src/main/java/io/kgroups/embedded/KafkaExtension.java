package io.kgroups.embedded;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands tests a running {@link EmbeddedKafka}, shared by every test class
 * of the run that asks for the same {@link KafkaCluster} shape, and closed when the run ends.
 *
 * <pre>{@code
 * @ExtendWith(KafkaExtension.class)
 * @KafkaCluster(brokers = 1)          // optional; secure = true for SASL and ACLs
 * class OrdersTest {
 *     @Test void loads(EmbeddedKafka kafka) { ... kafka.bootstrapServers() ... }
 * }
 * }</pre>
 *
 * <p>Since the cluster is shared, a test must not stop it, and should use its own topic and
 * group names (and, on a secured cluster, its own users and ACLs). A test that stops or restarts brokers builds its own {@link EmbeddedKafka}.
 */
public final class KafkaExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        KafkaCluster shape = context.getRequiredTestClass().getAnnotation(KafkaCluster.class);
        int brokers = shape == null ? 1 : shape.brokers();
        int partitions = shape == null ? 1 : shape.partitions();
        boolean secure = shape != null && shape.secure();
        // The root store lives as long as the test run and closes what it holds (AutoCloseable) at its end.
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(
                "cluster-" + brokers + "-" + partitions + (secure ? "-secure" : ""),
                key -> {
                    EmbeddedKafka.Builder builder = EmbeddedKafka.builder().brokers(brokers).partitions(partitions);
                    return (secure ? builder.sasl() : builder).build().start();
                },
                EmbeddedKafka.class);
    }
}
