package io.kgroups.admin.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** What a refusal tells the user to grant: the principal, the operation, the resource, the kafka-acls line. */
class AccessTest {

    @Test
    void thePrincipalIsTheUserNameOfASaslLoginAndNothingElseOfIt() {
        Properties scram = new Properties();
        scram.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"monitor\" password=\"s3cret-pw\";");
        assertThat(Access.principal(scram)).isEqualTo("User:monitor");
        assertThat(Access.principal(new Properties())).as("no SASL: not known").isNull();
        Properties kerberos = new Properties();
        kerberos.put("sasl.jaas.config", "com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true;");
        assertThat(Access.principal(kerberos)).isNull();
    }

    @Test
    void aRefusalNamesWhatToGrantAndTheLineThatGrantsIt() {
        assertThat(Access.group("Read", "storage_loader").denied("commit the new offsets of storage_loader", "User:ops",
                "b1:9092", List.of("storage_loader")))
                .isEqualTo("User:ops is not authorized to commit the new offsets of storage_loader: it needs Read on group "
                        + "'storage_loader'; grant it with: kafka-acls --bootstrap-server b1:9092 --command-config "
                        + "ADMIN.properties --add --allow-principal User:ops --operation Read --group storage_loader");
        assertThat(Access.topics("Describe").denied("describe topics", "User:mon", "b1:9092", List.of("orders", "odd name")))
                .endsWith("it needs Describe on topic 'orders', 'odd name'; grant it with: kafka-acls --bootstrap-server "
                        + "b1:9092 --command-config ADMIN.properties --add --allow-principal User:mon --operation Describe "
                        + "--topic orders --topic 'odd name'");
        assertThat(Access.cluster("Describe").denied("list the groups", null, "b1:9092", List.of()))
                .isEqualTo("the principal kgroups connects as is not authorized to list the groups: it needs Describe on the "
                        + "cluster; grant it with: kafka-acls --bootstrap-server b1:9092 --command-config ADMIN.properties "
                        + "--add --allow-principal User:NAME --operation Describe --cluster");
        assertThat(Access.topics("Read").denied("read records", "User:mon", "b", List.of()))
                .as("Kafka named no topic").contains("it needs Read on the topics", "--topic NAME");
        assertThat(Access.group("Read", "it's").denied("x", "User:a", "b", List.of()))
                .as("a name is one shell word, whatever it holds").endsWith("--group 'it'\\''s'");
    }
}
