package io.inflight.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class MaskingTest {

    @Test
    void masksKeyValuePairsInTheirCommonShapes() {
        assertThat(Masking.mask("host=db password=hunter2 user=app")).isEqualTo("host=db password=****** user=app");
        assertThat(Masking.mask("PGPASSWORD=hunter2")).isEqualTo("PGPASSWORD=******");
        assertThat(Masking.mask("INFLIGHT_SOURCE_PASSWORD: 'hunter 2'")).isEqualTo("INFLIGHT_SOURCE_PASSWORD: ******");
        assertThat(Masking.mask("{\"password\": \"x\"}")).isEqualTo("{\"password\": ******}");
        assertThat(Masking.mask("jdbc:postgresql://db/x?user=a&password=hunter2&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/x?user=a&password=******&ssl=true");
        assertThat(Masking.mask("sslpassword=k3y")).isEqualTo("sslpassword=******");
    }

    @Test
    void masksUriUserInfo() {
        assertThat(Masking.mask("cannot reach postgresql://app:hunter2@db:5432/orders"))
                .isEqualTo("cannot reach postgresql://app:******@db:5432/orders");
    }

    @Test
    void leavesOrdinaryTextAlone() {
        String text = "password authentication failed for user \"app\" at postgresql://app@db:5432/orders";
        assertThat(Masking.mask(text)).isEqualTo(text);
        assertThat(Masking.mask("")).isEmpty();
        assertThat(Masking.mask(null)).isNull();
    }

    @Test
    void theLogConfigurationMasksMessagesAndStackTraces() {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            Logger log = LoggerFactory.getLogger("io.inflight.test");
            log.info("connecting with password={}", "hunter2");
            log.warn("it failed", new IllegalStateException("url postgresql://app:hunter2@db/orders refused"));
        } finally {
            System.setErr(saved);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("connecting with password=******").contains("postgresql://app:******@db/orders")
                .contains("IllegalStateException").doesNotContain("hunter2");
    }
}
