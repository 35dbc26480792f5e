package io.kgroups.consumer;

import java.time.Duration;
import java.util.Objects;

/** Where to start in a partition for which the group has no committed offset. */
public final class OffsetReset {
    private final String kafkaValue;

    private OffsetReset(String kafkaValue) {
        this.kafkaValue = kafkaValue;
    }

    /** From the oldest record still in the log. */
    public static OffsetReset earliest() {
        return new OffsetReset("earliest");
    }

    /** From the next record produced (Kafka's default). */
    public static OffsetReset latest() {
        return new OffsetReset("latest");
    }

    /** Nowhere: the consumer fails and names the {@code kgroups reset} command that sets a start. */
    public static OffsetReset none() {
        return new OffsetReset("none");
    }

    /** From the first record not older than {@code age}. */
    public static OffsetReset byDuration(Duration age) {
        Objects.requireNonNull(age, "age");
        if (age.isNegative()) {
            throw new IllegalArgumentException("offsetReset: byDuration must not be negative, was " + age);
        }
        return new OffsetReset("by_duration:" + age);
    }

    /** Reads Kafka's {@code auto.offset.reset} values: earliest, latest, none, by_duration:ISO-8601. */
    public static OffsetReset parse(String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("earliest") || v.equals("latest") || v.equals("none")) {
            return new OffsetReset(v);
        }
        if (v.startsWith("by_duration:")) {
            try {
                return byDuration(Duration.parse(value.trim().substring("by_duration:".length())));
            } catch (java.time.format.DateTimeParseException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("offsetReset '" + value
                + "' is not one of earliest, latest, none, by_duration:<ISO-8601 duration such as PT1H>");
    }

    /** The value for Kafka's {@code auto.offset.reset}. */
    public String kafkaValue() {
        return kafkaValue;
    }

    public boolean isNone() {
        return kafkaValue.equals("none");
    }

    @Override
    public String toString() {
        return kafkaValue;
    }
}
