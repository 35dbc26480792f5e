package io.kgroups.admin.internal;

import io.kgroups.admin.GroupAdminException;
import io.kgroups.admin.GroupDetail;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * A group's dynamic configs (KIP-848's {@code consumer.session.timeout.ms}, {@code share.*},
 * {@code streams.*} ...): stored by the cluster apart from the group, so Kafka keeps them when the
 * group is deleted, and they apply to the next group of the same name.
 */
final class GroupConfigs {
    private final Admin admin;
    private final Calls calls;

    GroupConfigs(Admin admin, Calls calls) {
        this.admin = admin;
        this.calls = calls;
    }

    /** The configs set on the group dynamically (not the broker's defaults), by name. */
    SortedMap<String, String> dynamic(String group) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        SortedMap<String, String> set = new TreeMap<>();
        try {
            calls.await(admin.describeConfigs(List.of(resource)).values().get(resource), "read the configs of group " + group,
                    Access.group("DescribeConfigs", group))
                    .entries().forEach(e -> {
                        if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG) {
                            set.put(e.name(), e.value());
                        }
                    });
        } catch (GroupAdminException e) {
            // Brokers older than group configs (Kafka < 3.8) refuse the resource type: they hold none.
            if (!(e.getCause() instanceof InvalidRequestException)) {
                throw e;
            }
        }
        return set;
    }

    /** Asks for the configs of {@code groups}, one call for all: read each with {@link #shareConfigs}. */
    Map<String, KafkaFuture<Config>> describe(Collection<String> groups, int timeoutMs) {
        List<ConfigResource> resources = groups.stream().map(g -> new ConfigResource(ConfigResource.Type.GROUP, g)).toList();
        Map<ConfigResource, KafkaFuture<Config>> values = admin.describeConfigs(resources,
                new DescribeConfigsOptions().timeoutMs(timeoutMs)).values();
        Map<String, KafkaFuture<Config>> byGroup = new LinkedHashMap<>();
        values.forEach((resource, future) -> byGroup.put(resource.name(), future));
        return byGroup;
    }

    /**
     * The configs that shape a share group ({@code share.*}, and {@code errors.deadletterqueue.*}
     * of its dead-letter queue, KIP-1191) in effect, by name, from {@link #describe}; none from
     * brokers older than group configs.
     */
    List<GroupDetail.Config> shareConfigs(String group, KafkaFuture<Config> described) {
        List<GroupDetail.Config> configs = new ArrayList<>();
        try {
            for (ConfigEntry e : calls.await(described, "read the configs of share group " + group,
                    Access.group("DescribeConfigs", group)).entries()) {
                if (e.name().startsWith("share.") || e.name().startsWith("errors.deadletterqueue.")) {
                    configs.add(new GroupDetail.Config(e.name(), e.value(),
                            e.source() == ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG ? "group" : "default"));
                }
            }
        } catch (GroupAdminException e) {
            if (!(e.getCause() instanceof InvalidRequestException)) {
                throw e;
            }
        }
        configs.sort(Comparator.comparing(GroupDetail.Config::name));
        return configs;
    }

    /** Sets {@code values} and deletes the dynamic value of {@code unset}, in one call. */
    void alter(String group, Map<String, String> values, Collection<String> unset) {
        List<AlterConfigOp> ops = new ArrayList<>();
        values.forEach((name, value) -> ops.add(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET)));
        unset.forEach(name -> ops.add(new AlterConfigOp(new ConfigEntry(name, ""), AlterConfigOp.OpType.DELETE)));
        if (ops.isEmpty()) {
            return;
        }
        calls.await(admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), ops)).all(),
                "change the configs of group " + group, Access.group("AlterConfigs", group));
    }
}
