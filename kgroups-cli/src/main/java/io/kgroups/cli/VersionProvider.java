package io.kgroups.cli;

import picocli.CommandLine.IVersionProvider;

/** kgroups' version from the jar manifest, with the Kafka client version it was built with. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Kgroups.class.getPackage().getImplementationVersion();
        return new String[] {
            "kgroups " + (version == null ? "(development build)" : version),
            "Kafka clients " + KafkaVersion.get() + ", Java " + Runtime.version()
        };
    }
}
