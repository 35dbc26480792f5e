package io.kgroups.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpCredentialsTest {
    private final HttpCredentials credentials = HttpCredentials.tokens(List.of("old-token-0123456789", "new-token-0123456789"))
            .and(HttpCredentials.users(List.of("ops:pa:ss word", "viewer:secret")));

    @Test
    void tokensAsBearerOrAsTheBasicPasswordOfAnyUser() {
        assertThat(credentials.accepts("Bearer old-token-0123456789")).isTrue();
        assertThat(credentials.accepts("bearer new-token-0123456789")).isTrue();
        assertThat(credentials.accepts(basic("prometheus", "new-token-0123456789"))).isTrue();
        assertThat(credentials.accepts("Bearer old-token-012345678")).isFalse();
        assertThat(credentials.accepts("Bearer ")).isFalse();
        assertThat(credentials.bearer()).isTrue();
    }

    @Test
    void usersByNameAndPasswordSplitAtTheFirstColon() {
        assertThat(credentials.accepts(basic("ops", "pa:ss word"))).isTrue();
        assertThat(credentials.accepts(basic("viewer", "secret"))).isTrue();
        assertThat(credentials.accepts(basic("ops", "secret"))).isFalse();
        assertThat(credentials.accepts(basic("viewer", "pa:ss word"))).isFalse();
        // A user's password is not a token.
        assertThat(credentials.accepts("Bearer secret")).isFalse();
        assertThat(credentials.accepts("Bearer viewer:secret")).isFalse();
    }

    @Test
    void malformedHeadersAreRefused() {
        assertThat(credentials.accepts(null)).isFalse();
        assertThat(credentials.accepts("")).isFalse();
        assertThat(credentials.accepts("old-token-0123456789")).isFalse();
        assertThat(credentials.accepts("Basic !!!")).isFalse();
        assertThat(credentials.accepts("Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8))))
                .isFalse();
        assertThat(credentials.accepts("Token old-token-0123456789")).isFalse();
        assertThat(HttpCredentials.none().accepts("Bearer anything")).isFalse();
    }

    @Test
    void badPairsAreRefusedAndNothingIsPrinted() {
        assertThatThrownBy(() -> HttpCredentials.users(List.of("a:b", ":password"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 2 is not user:password (neither part empty)");
        assertThatThrownBy(() -> HttpCredentials.users(List.of("ops-s3cret:"))).hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> HttpCredentials.tokens(List.of(""))).isInstanceOf(IllegalArgumentException.class);
        assertThat(credentials).hasToString("HttpCredentials[2 token(s), 2 user(s)]");
        assertThat(HttpCredentials.none().isEmpty()).isTrue();
        assertThat(HttpCredentials.users(List.of("a:b")).bearer()).isFalse();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
