package io.kgroups.consumer;

/** Where a {@link GroupConsumer} is in its life. */
public enum ConsumerState {
    CREATED, STARTING, RUNNING, REBALANCING, STOPPING, STOPPED, FAILED
}
