package io.kgroups.embedded.internal;

import java.util.concurrent.CompletableFuture;
import kafka.server.BrokerServer;
import kafka.server.ControllerServer;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.server.Server;
import kafka.server.SharedServer;
import kafka.server.StandardFaultHandlerFactory;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.raft.QuorumConfig;
import org.apache.kafka.server.ServerSocketFactory;
import scala.Tuple2;

/**
 * The two sides of a combined-mode node, built on one shared Raft client and metadata log as
 * {@code KafkaRaftServer}'s constructor builds them (Kafka 4.4), but left apart so that each side
 * can be stopped on its own. Neither side is started.
 */
record CombinedServer(ControllerServer controller, BrokerServer broker) {

    static CombinedServer create(KafkaConfig config) {
        Tuple2<MetaPropertiesEnsemble, BootstrapMetadata> logDirs = KafkaRaftServer.initializeLogDirs(config,
                org.slf4j.LoggerFactory.getLogger(KafkaRaftServer.class), "[KafkaRaftServer nodeId=" + config.nodeId() + "] ");
        MetaPropertiesEnsemble metaProperties = logDirs._1();
        Metrics metrics = Server.initializeMetrics(config, Time.SYSTEM, metaProperties.clusterId().get());
        SharedServer shared = new SharedServer(config, metaProperties, Time.SYSTEM, metrics,
                CompletableFuture.completedFuture(QuorumConfig.parseVoterConnections(config.quorumConfig().voters())),
                QuorumConfig.parseBootstrapServers(config.quorumConfig().bootstrapServers()),
                new StandardFaultHandlerFactory(), ServerSocketFactory.INSTANCE);
        return new CombinedServer(new ControllerServer(shared, KafkaRaftServer.configSchema(), logDirs._2()),
                new BrokerServer(shared));
    }
}
