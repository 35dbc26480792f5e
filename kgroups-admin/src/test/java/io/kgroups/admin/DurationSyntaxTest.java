package io.kgroups.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one duration syntax of every option: the short forms and ISO-8601, one error. */
class DurationSyntaxTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "500ms | PT0.5S",
        "30s   | PT30S",
        "5m    | PT5M",
        "2h    | PT2H",
        "7d    | PT168H",
        "PT2H  | PT2H",
        "P1D   | PT24H",
        " 30s  | PT30S",
    })
    void readsTheShortFormsAndIso(String text, String expected) {
        assertThat(DurationSyntax.parse(text)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"5", "2 h", "soon", "1w", "-5s", "''"})
    void anythingElseIsOneLineThatSaysTheForms(String text) {
        assertThatThrownBy(() -> DurationSyntax.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is not a duration: write it as " + DurationSyntax.FORMS);
    }
}
