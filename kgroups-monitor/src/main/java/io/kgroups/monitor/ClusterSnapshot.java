package io.kgroups.monitor;

import java.util.Objects;

/**
 * The snapshot of one cluster's monitor and the cluster's name: what a monitor watching several
 * clusters publishes for each ({@code cluster} label, {@code cluster} field).
 *
 * @param cluster the name the operator gave it (a named cluster of the CLI's config); null when the
 *     monitor watches one cluster it does not name, so its series and answers carry no cluster
 */
public record ClusterSnapshot(String cluster, MonitorSnapshot snapshot) {
    public ClusterSnapshot {
        Objects.requireNonNull(snapshot, "snapshot");
    }
}
