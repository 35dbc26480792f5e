package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The output contract as the tests check it: the JSON Schemas of docs/schemas, one per command and
 * per /api endpoint, named after the command the envelope names ({@code offsets export}:
 * offsets-export.schema.json, {@code api/group}: api-group.schema.json).
 */
final class JsonContract {
    static final Path SCHEMAS = Path.of("..", "docs", "schemas").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    // Formats are assertions here, not annotations: a timestamp that is not ISO-8601 fails.
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

    private JsonContract() {
    }

    /** The schema file of a command or endpoint kind. */
    static Path schemaFile(String command) {
        return SCHEMAS.resolve(command.replace(' ', '-').replace('/', '-') + ".schema.json");
    }

    /** What is wrong with {@code json} by the schema in {@code file}; empty when nothing. */
    static List<String> errors(JsonNode json, Path file) {
        JsonSchema schema = FACTORY.getSchema(SchemaLocation.of(file.toUri().toString()), CONFIG);
        Set<ValidationMessage> messages = schema.validate(json);
        return messages.stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    /**
     * One answer: parsed, named {@code command}, and valid by that command's schema (a failure
     * shows what was wrong and the answer).
     */
    static JsonNode valid(String command, String json) {
        JsonNode envelope = parse(json);
        assertThat(envelope.path("command").asText()).as("the command the envelope names, in %s", json).isEqualTo(command);
        assertThat(errors(envelope, schemaFile(command))).as("%s by %s", json, schemaFile(command).getFileName()).isEmpty();
        return envelope;
    }

    /**
     * A command's JSON answer: the exit code as expected, one line, the envelope valid by the
     * command's schema, and its warnings the very words on stderr; its data.
     */
    static JsonNode answer(Cli.Result result, String command, int exitCode) {
        assertThat(result.exitCode()).as("exit code; stderr: %s", result.err()).isEqualTo(exitCode);
        assertThat(result.out().lines()).as("one line per answer").hasSize(1);
        JsonNode envelope = valid(command, result.out());
        List<String> warnings = new ArrayList<>();
        envelope.get("warnings").forEach(w -> warnings.add(w.asText()));
        assertThat(warnings).isEqualTo(result.err().lines().map(l -> l.replaceFirst("^kgroups: (warning|note): ", "")).toList());
        return envelope.get("data");
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    /** The field names of the object at {@code pointer} (e.g. /$defs/group) of a command's schema, in order. */
    static List<String> fields(String command, String pointer) {
        JsonNode properties;
        try {
            properties = JSON.readTree(schemaFile(command).toFile()).at(pointer + "/properties");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(properties.isObject()).as("%s has an object at %s", schemaFile(command).getFileName(), pointer).isTrue();
        List<String> names = new ArrayList<>();
        properties.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
