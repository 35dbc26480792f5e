package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kgroups.admin.DurationSyntax;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option value checked the same way, found by walking the whole command tree (a new option
 * is covered without a line here): every duration takes each of the one syntax's forms and refuses
 * anything else with the one message; every enum takes its values in any case and refuses a wrong
 * one with exit code 2, listing the accepted values.
 */
class OptionValuesTest {
    /** Each form of the one duration syntax, and what it means. */
    private static final List<Object[]> DURATIONS = List.of(
            new Object[] {"500ms", Duration.ofMillis(500)}, new Object[] {"30s", Duration.ofSeconds(30)},
            new Object[] {"5m", Duration.ofMinutes(5)}, new Object[] {"2h", Duration.ofHours(2)},
            new Object[] {"7d", Duration.ofDays(7)}, new Object[] {"PT2H", Duration.ofHours(2)});

    /** An option of a command, with the words that reach the command ("offsets export"). */
    private record Found(List<String> command, OptionSpec option) {
        /** kgroups, the command's words and the option's first name, then {@code more}. */
        String[] line(String... more) {
            return Stream.concat(command.stream(), Stream.concat(Stream.of(option.names()[0]), Arrays.stream(more)))
                    .toArray(String[]::new);
        }

        @Override
        public String toString() {
            return "kgroups " + String.join(" ", line());
        }
    }

    private static List<Found> options() {
        List<Found> found = new ArrayList<>();
        walk(new CommandLine(new Kgroups()).getCommandSpec(), List.of(), found);
        return found;
    }

    private static void walk(CommandSpec command, List<String> words, List<Found> found) {
        command.options().forEach(option -> found.add(new Found(words, option)));
        command.subcommands().forEach((name, sub) -> {
            if (!name.equals("help") && sub.getCommandSpec().name().equals(name)) { // each command once, not per alias
                List<String> deeper = new ArrayList<>(words);
                deeper.add(name);
                walk(sub.getCommandSpec(), deeper, found);
            }
        });
    }

    @Test
    void everyDurationOptionTakesEachFormOfTheOneSyntax() {
        List<Found> durations = options().stream().filter(f -> f.option().type() == Duration.class
                || "DURATION".equals(f.option().paramLabel())).toList();
        assertThat(durations).as("the duration options found").extracting(Found::toString).contains(
                "kgroups --timeout", "kgroups lag --watch", "kgroups reset --by-duration", "kgroups reset --wait-for-empty",
                "kgroups monitor --interval", "kgroups monitor --stopped-after");
        List<String> wrong = new ArrayList<>();
        for (Found f : durations) {
            if (f.option().type() != Duration.class || Arrays.stream(f.option().converters())
                    .noneMatch(DurationConverter.class::isInstance)) {
                wrong.add(f + ": not a Duration read by DurationConverter");
                continue;
            }
            for (Object[] form : DURATIONS) {
                Duration parsed = (Duration) convert(f, (String) form[0]);
                if (!form[1].equals(parsed)) {
                    wrong.add(f + " " + form[0] + ": " + parsed);
                }
                // The whole command line too: parsed, with --help, so that no cluster is needed.
                Cli.Result result = Cli.run(f.line((String) form[0], "--help"));
                if (result.exitCode() != CliException.OK) {
                    wrong.add(f + " " + form[0] + " --help: exit " + result.exitCode() + ": " + result.err().strip());
                }
            }
            Cli.Result bad = Cli.run(f.line("5 minutes"));
            if (bad.exitCode() != CliException.USAGE || !bad.err().contains("'5 minutes' is not a duration: write it as "
                    + "500ms, 30s, 5m, 2h, 7d or ISO-8601") || bad.err().lines().count() != 1) {
                wrong.add(f + " '5 minutes': exit " + bad.exitCode() + ": " + bad.err().strip());
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(DurationSyntax.parse("PT0.5S")).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void everyEnumOptionTakesItsValuesInAnyCaseAndListsThemWhenWrong() {
        List<Found> enums = options().stream().filter(f -> f.option().type().isEnum()).toList();
        assertThat(enums).as("the enum options found").extracting(Found::toString).contains("kgroups --output",
                "kgroups describe --isolation", "kgroups load-orders --ordering", "kgroups demo --protocol",
                "kgroups chaos --protocol");
        List<String> wrong = new ArrayList<>();
        for (Found f : enums) {
            Object[] values = f.option().type().getEnumConstants();
            for (Object value : values) {
                for (String typed : List.of(value.toString().toUpperCase(Locale.ROOT), value.toString().toLowerCase(Locale.ROOT))) {
                    Cli.Result result = Cli.run(f.line(typed, "--help"));
                    if (result.exitCode() != CliException.OK) {
                        wrong.add(f + " " + typed + ": exit " + result.exitCode() + ": " + result.err().strip());
                    }
                }
            }
            Cli.Result bad = Cli.run(f.line("bogus"));
            boolean listsThem = Arrays.stream(values).allMatch(v -> bad.err().contains(((Enum<?>) v).name()));
            if (bad.exitCode() != CliException.USAGE || !listsThem || !bad.err().contains("'bogus'")
                    || bad.err().lines().count() != 1) {
                wrong.add(f + " bogus: exit " + bad.exitCode() + ": " + bad.err().strip());
            }
        }
        assertThat(wrong).isEmpty();
    }

    private static Object convert(Found f, String value) {
        try {
            return f.option().converters()[0].convert(value);
        } catch (Exception e) {
            return e.getMessage();
        }
    }
}
