package io.kgroups.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The record a stuck partition waits on, described in one line for {@code kgroups doctor}: offset,
 * timestamp, key, headers, size and the first bytes of the value, anything that looks like a
 * secret masked (a poison pill is often a record with a password in it, and the doctor's output
 * ends up in tickets). Read by one consumer of no group for all the records asked for: it commits
 * nothing and joins nothing.
 */
final class RecordPeek implements AutoCloseable {
    /** Value text shown: enough to recognise a record, short enough for a line. */
    private static final int VALUE_CHARS = 120;
    private static final int BINARY_BYTES = 16;
    /** {@code password=x}, {@code "token": "x"}, {@code secret: x}: the name kept, the value masked. */
    private static final Pattern NAMED_SECRET = Pattern.compile(
            "(?i)([\"']?[\\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|credential|private[_-]?key)[\\w.-]*[\"']?"
                    + "\\s*[:=]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s,;}&]+)");
    /** {@code Bearer x}, {@code Basic x}: an Authorization header's value. */
    private static final Pattern AUTH_SCHEME = Pattern.compile("(?i)\\b(Bearer|Basic)\\s+[A-Za-z0-9._~+/=-]+");
    /** A JSON web token: three base64url parts, the first a JSON header. */
    private static final Pattern JWT = Pattern.compile("\\beyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(password|passwd|secret|token|api[_-]?key|credential|authorization|private[_-]?key).*");

    private final KafkaConsumer<byte[], byte[]> consumer;

    /** A consumer of no group on the cluster of {@code client}: created at the first record asked for. */
    private RecordPeek(KafkaConsumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    static RecordPeek open(Properties client) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "kgroups-doctor-peek");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new RecordPeek(new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
    }

    /** The record at {@code offset} (or the first after it: a transaction marker holds no record), in words. */
    String at(TopicPartition tp, long offset, Duration timeout) {
        try {
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    return describe(r, offset);
                }
            }
            return "no record could be read at offset " + offset + " of " + tp + " within " + timeout.toSeconds() + "s";
        } catch (RuntimeException e) {
            return "the record at offset " + offset + " could not be read: " + ClusterConnection.rootMessage(e);
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }

    static String describe(ConsumerRecord<byte[], byte[]> r, long asked) {
        StringBuilder line = new StringBuilder("record at offset ").append(r.offset());
        if (r.offset() != asked) {
            line.append(" (offsets ").append(asked).append("-").append(r.offset() - 1).append(" hold no record: transaction markers)");
        }
        line.append(": timestamp ").append(r.timestamp() < 0 ? "none" : Instant.ofEpochMilli(r.timestamp()).toString());
        line.append(", key ").append(r.key() == null ? "null" : show(r.key(), 40));
        List<String> headers = new ArrayList<>();
        for (Header h : r.headers()) {
            headers.add(h.key() + "=" + (SECRET_NAME.matcher(h.key()).matches() ? "***"
                    : h.value() == null ? "null" : show(h.value(), 40)));
        }
        line.append(", headers ").append(headers.isEmpty() ? "none" : "[" + String.join(", ", headers) + "]");
        int size = Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize());
        line.append(", ").append(size).append(" bytes");
        line.append(", value ").append(r.value() == null ? "null (a tombstone)" : show(r.value(), VALUE_CHARS));
        return line.toString();
    }

    /** Text (masked, cut at {@code chars}) when the bytes are UTF-8 text; else the first bytes in hex. */
    static String show(byte[] bytes, int chars) {
        String text = text(bytes);
        if (text == null) {
            int n = Math.min(BINARY_BYTES, bytes.length);
            return "binary, first " + n + " bytes " + HexFormat.ofDelimiter(" ").formatHex(bytes, 0, n)
                    + (bytes.length > n ? " ..." : "");
        }
        // Masked before cutting: a secret cut in half is still half a secret.
        String masked = mask(text).replace("\n", "\\n").replace("\r", "\\r");
        return '"' + (masked.length() > chars ? masked.substring(0, chars) + "\" ..." : masked + '"');
    }

    static String mask(String text) {
        Matcher named = NAMED_SECRET.matcher(text);
        String masked = named.replaceAll(m -> Matcher.quoteReplacement(m.group(1) + quoteLike(m.group(2)) + "***"
                + quoteLike(m.group(2))));
        masked = AUTH_SCHEME.matcher(masked).replaceAll("$1 ***");
        return JWT.matcher(masked).replaceAll("***");
    }

    private static String quoteLike(String value) {
        char c = value.charAt(0);
        return c == '"' || c == '\'' ? String.valueOf(c) : "";
    }

    /** The bytes as text, or null when they are not UTF-8 or hold control characters (other than line ends and tabs). */
    private static String text(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
                return null;
            }
        }
        return text;
    }
}
