package io.kgroups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the doctor shows of a record: secrets masked in every form a value carries them, binary as hex. */
class RecordPeekTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"user\":\"ann\",\"password\":\"hunter2\"}|{\"user\":\"ann\",\"password\":\"***\"}",
        "db.password=hunter2 host=x|db.password=*** host=x",
        "{\"apiKey\": \"abc123\", \"n\": 1}|{\"apiKey\": \"***\", \"n\": 1}",
        "client_secret='s3cr3t'&scope=a|client_secret='***'&scope=a",
        "Authorization: Bearer abc.def-123|Authorization: Bearer ***",
        "tok eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_x end|tok *** end",
        "{\"order\":7,\"amount\":12.5}|{\"order\":7,\"amount\":12.5}",
    })
    void masksWhatLooksLikeASecret(String value, String shown) {
        assertThat(RecordPeek.mask(value)).isEqualTo(shown);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "00 01 02 ff|binary, first 4 bytes 00 01 02 ff",
        "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11|binary, first 16 bytes 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f ...",
    })
    void binaryValuesShowTheirFirstBytes(String hex, String shown) {
        byte[] bytes = java.util.HexFormat.ofDelimiter(" ").parseHex(hex);
        assertThat(RecordPeek.show(bytes, 120)).isEqualTo(shown);
    }

    @org.junit.jupiter.api.Test
    void aLongValueIsCutAfterItIsMasked() {
        String value = "x".repeat(100) + " password=" + "p".repeat(40);
        String shown = RecordPeek.show(value.getBytes(StandardCharsets.UTF_8), 120);
        assertThat(shown).startsWith("\"" + "x".repeat(100) + " password=***").doesNotContain("ppp");
        assertThat(RecordPeek.show("a\nb".getBytes(StandardCharsets.UTF_8), 120)).isEqualTo("\"a\\nb\"");
    }
}
