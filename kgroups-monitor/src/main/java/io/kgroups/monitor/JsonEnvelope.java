package io.kgroups.monitor;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The one shape of every JSON answer kgroups gives, the {@code kgroups} command's
 * {@code --output json} and the monitor's {@code /api} alike (documented in {@code docs/schemas/}):
 * a script reads {@code data} and knows from {@code schemaVersion} that the field names it relies on
 * hold.
 *
 * @param command what answered: the command ({@code groups}, {@code offsets export}) or, over HTTP,
 *     the endpoint kind ({@code api/groups})
 * @param time when the answer was made (ISO-8601, UTC)
 * @param data the answer: a list, or one object
 * @param warnings what could not be read or was left out, in the words the command prints on stderr
 */
@JsonPropertyOrder({"schemaVersion", "command", "time", "data", "warnings"})
public record JsonEnvelope(int schemaVersion, String command, String time, Object data, List<String> warnings) {
    /** Raised when a field is renamed, removed or changes its type; added fields keep it. */
    public static final int SCHEMA_VERSION = 1;

    public JsonEnvelope {
        warnings = List.copyOf(warnings);
    }

    /** An answer made now. */
    public static JsonEnvelope of(String command, Object data, List<String> warnings) {
        return new JsonEnvelope(SCHEMA_VERSION, command, now(), data, warnings);
    }

    /** Now, as the envelope's time: ISO-8601 UTC, to the millisecond. */
    public static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /** A time as the contract writes it: ISO-8601 UTC; null stays null (never sampled, not known). */
    public static String time(Long epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis).toString();
    }
}
