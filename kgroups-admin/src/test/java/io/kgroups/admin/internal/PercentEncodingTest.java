package io.kgroups.admin.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PercentEncodingTest {
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "storage_loader     | storage_loader",
        "'../../etc'        | ..%2F..%2Fetc",
        "'a b=c,d'          | a%20b%3Dc%2Cd",
        "'100%'             | 100%25",
        "'é'                | %C3%A9",
        "''                 | ''",
    })
    void encodesEverythingButLettersDigitsDotUnderscoreDashAndDecodesBack(String text, String encoded) {
        assertThat(PercentEncoding.encode(text)).isEqualTo(encoded);
        assertThat(PercentEncoding.decode(encoded)).isEqualTo(text);
    }

    @org.junit.jupiter.api.Test
    void newlinesAndControlCharactersAreEncodedToo() {
        assertThat(PercentEncoding.encode("a\nb\r\tc")).isEqualTo("a%0Ab%0D%09c");
        assertThat(PercentEncoding.decode("a%0Ab%0D%09c")).isEqualTo("a\nb\r\tc");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "'%4'  | '%' at 0 is not followed by two hex digits",
        "'%zz' | '%' at 0 is not followed by two hex digits",
        "'a b' | ' ' at 1 should have been percent-encoded",
    })
    void textEncodeCannotHaveWrittenIsRefused(String encoded, String message) {
        assertThatThrownBy(() -> PercentEncoding.decode(encoded)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
