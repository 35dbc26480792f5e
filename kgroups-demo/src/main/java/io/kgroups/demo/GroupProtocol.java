package io.kgroups.demo;

/** Kafka's group protocols, as {@code group.protocol} names them. */
public enum GroupProtocol {
    /** The classic rebalance protocol, assignment by the members. */
    classic,
    /** KIP-848: assignment by the broker, no stop-the-world rebalance. */
    consumer
}
