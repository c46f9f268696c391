package io.inflight.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LsnTest {

    @Test
    void parsesAndPrintsPostgresForm() {
        Lsn lsn = Lsn.parse("16/B374D848");
        assertThat(lsn.value()).isEqualTo(0x16_B374_D848L);
        assertThat(lsn.toString()).isEqualTo("16/B374D848");
        assertThat(Lsn.parse("0/0")).isEqualTo(Lsn.INVALID);
        assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF").value()).isEqualTo(-1L);
    }

    @Test
    void ordersUnsigned() {
        assertThat(Lsn.parse("FFFFFFFF/0")).isGreaterThan(Lsn.parse("1/0"));
        assertThat(Lsn.parse("1/10").bytesAfter(Lsn.parse("1/0"))).isEqualTo(16);
        assertThat(Lsn.parse("1/0").bytesAfter(Lsn.parse("1/10"))).isZero();
    }

    @Test
    void rejectsGarbageNamingTheText() {
        assertThatThrownBy(() -> Lsn.parse("12345")).hasMessageContaining("'12345'");
        assertThatThrownBy(() -> Lsn.parse("1/G")).hasMessageContaining("'1/G'");
        assertThatThrownBy(() -> Lsn.parse("100000000/0")).isInstanceOf(IllegalArgumentException.class);
    }
}
