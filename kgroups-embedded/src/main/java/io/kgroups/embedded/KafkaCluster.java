package io.kgroups.embedded;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Shape of the shared cluster that {@link KafkaExtension} gives a test class. Classes asking for
 * the same shape share one cluster for the whole test run.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
public @interface KafkaCluster {
    /** Number of nodes (each broker and controller). */
    int brokers() default 1;

    /** Partitions of a topic created on first use. */
    int partitions() default 1;

    /**
     * A secured cluster ({@link EmbeddedKafka.Builder#sasl()}): SASL/SCRAM and ACLs; clients use
     * {@link EmbeddedKafka#adminClientProperties()} or {@link EmbeddedKafka#clientProperties}.
     */
    boolean secure() default false;
}
