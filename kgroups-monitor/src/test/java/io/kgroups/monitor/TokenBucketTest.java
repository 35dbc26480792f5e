package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final TokenBucket bucket = new TokenBucket(3, Duration.ofSeconds(2), nanos::get);

    @Test
    void aBurstThenOnePerRefillAndTheWaitUntilTheNext() {
        assertThat(bucket.take()).isZero();
        assertThat(bucket.take()).isZero();
        assertThat(bucket.take()).isZero();
        assertThat(bucket.take()).isEqualTo(2_000);

        nanos.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(bucket.take()).isEqualTo(1_500);
        nanos.addAndGet(Duration.ofMillis(1_500).toNanos());
        assertThat(bucket.take()).isZero();
        assertThat(bucket.take()).isEqualTo(2_000);
    }

    @Test
    void aLongPauseRefillsTheBurstOnly() {
        for (int i = 0; i < 3; i++) {
            bucket.take();
        }
        nanos.addAndGet(Duration.ofHours(1).toNanos());
        for (int i = 0; i < 3; i++) {
            assertThat(bucket.take()).isZero();
        }
        assertThat(bucket.take()).isPositive();
    }
}
