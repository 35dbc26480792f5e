package io.kgroups.consumer.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a share group's {@code share.delivery.count.limit} once, at start: the runtime counts
 * records it releases at that limit (the broker archives them). A principal that may not
 * describe the group's configs gets Kafka's default, and a line in the log saying so.
 */
final class GroupDeliveryLimit {
    private static final Logger LOG = LoggerFactory.getLogger(GroupDeliveryLimit.class);
    static final String CONFIG = "share.delivery.count.limit";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private GroupDeliveryLimit() {
    }

    static int read(Properties adminProperties, String group, int fallback) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        try (Admin admin = Admin.create(adminProperties)) {
            Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(resource)).all()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            ConfigEntry entry = configs.get(resource) == null ? null : configs.get(resource).get(CONFIG);
            if (entry != null && entry.value() != null) {
                return Integer.parseInt(entry.value().trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.atInfo().setMessage("delivery_limit_unknown").addKeyValue("group", group).addKeyValue("error", e.toString())
                    .addKeyValue("assumed", fallback).log();
        }
        return fallback;
    }
}
