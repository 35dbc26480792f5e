package io.kgroups.consumer;

import io.kgroups.embedded.EmbeddedKafka;
import io.kgroups.embedded.KafkaExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** Tests on the broker shared by the whole run, each with its own topics, groups and clients. */
@ExtendWith(KafkaExtension.class)
abstract class SharedKafkaTest {
    protected Fixture fixture;

    @BeforeEach
    void openFixture(EmbeddedKafka kafka) {
        fixture = new Fixture(kafka);
    }

    @AfterEach
    void closeFixture() {
        fixture.close();
    }
}
