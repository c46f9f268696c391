package io.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.InflightException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SwitchSettingsTest {

    @Test
    void verifyMaxAgeTakesANumberWithAUnit() {
        assertThat(SwitchSettings.age("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(SwitchSettings.age("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(SwitchSettings.age("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(SwitchSettings.age(" 2D ")).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void verifyMaxAgeWithoutAUnitIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> SwitchSettings.age("24")).isInstanceOf(InflightException.class)
                .hasMessageContaining("--verify-max-age '24'").hasMessageContaining("e.g. 24h");
        assertThatThrownBy(() -> SwitchSettings.age("-1h")).isInstanceOf(InflightException.class);
    }
}
