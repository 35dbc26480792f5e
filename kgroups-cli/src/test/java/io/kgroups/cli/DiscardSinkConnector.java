package io.kgroups.cli;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

/**
 * A sink connector whose one task reads its topics and keeps nothing: what a test needs of it is
 * its consumer group, whose offsets Connect commits as the task reads. Found by Connect through
 * {@code META-INF/services/org.apache.kafka.connect.sink.SinkConnector}.
 */
public final class DiscardSinkConnector extends SinkConnector {
    @Override
    public String version() {
        return "test";
    }

    @Override
    public void start(Map<String, String> props) {
    }

    @Override
    public Class<? extends Task> taskClass() {
        return DiscardTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(Map.of());
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef();
    }

    /** Accepts every record; Connect commits the offsets of what it was given. */
    public static final class DiscardTask extends SinkTask {
        @Override
        public String version() {
            return "test";
        }

        @Override
        public void start(Map<String, String> props) {
        }

        @Override
        public void put(Collection<SinkRecord> records) {
        }

        @Override
        public void stop() {
        }
    }
}
