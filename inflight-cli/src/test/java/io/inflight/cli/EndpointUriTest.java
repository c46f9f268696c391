package io.inflight.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inflight.core.Endpoint;
import io.inflight.core.ErrorCode;
import io.inflight.core.InflightException;
import io.inflight.core.Secret;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointUriTest {

    private static Endpoint parse(String uri) {
        return EndpointUri.parse("source", uri, Secret.none());
    }

    private static InflightException refused(String uri) {
        try {
            parse(uri);
        } catch (InflightException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
            return e;
        }
        throw new AssertionError("accepted " + uri);
    }

    @Test
    void parsesEveryPart() {
        Endpoint e = EndpointUri.parse("target", "postgresql://app@db.example.com:6543/orders", Secret.of("s3cret"));
        assertThat(e.user()).isEqualTo("app");
        assertThat(e.host()).isEqualTo("db.example.com");
        assertThat(e.port()).isEqualTo(6543);
        assertThat(e.database()).isEqualTo("orders");
        assertThat(e.password().reveal()).isEqualTo("s3cret");
        assertThat(e.options()).isEmpty();
    }

    @Test
    void portDefaultsTo5432AndPostgresSchemeIsAccepted() {
        assertThat(parse("postgresql://app@db/orders").port()).isEqualTo(5432);
        assertThat(parse("postgres://app@db/orders").port()).isEqualTo(5432);
    }

    @Test
    void ipv6HostsInBrackets() {
        Endpoint e = parse("postgresql://app@[::1]:5433/orders");
        assertThat(e.host()).isEqualTo("::1");
        assertThat(e.port()).isEqualTo(5433);
        Endpoint noPort = parse("postgresql://app@[2001:db8::7]/orders");
        assertThat(noPort.host()).isEqualTo("2001:db8::7");
        assertThat(noPort.port()).isEqualTo(5432);
    }

    @Test
    void percentEscapesAreDecoded() {
        Endpoint e = parse("postgresql://app%40corp@db/my%20db");
        assertThat(e.user()).isEqualTo("app@corp");
        assertThat(e.database()).isEqualTo("my db");
    }

    @Test
    void sslSettingsPassThroughToTheDriver() {
        Endpoint e = parse("postgresql://app@db/orders?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=5");
        assertThat(e.options()).isEqualTo(Map.of("sslmode", "verify-full", "sslrootcert", "/etc/ca.pem",
                "connectTimeout", "5"));
    }

    @Test
    void missingPartsAreNamed() {
        assertThat(refused("db.example.com/orders").getMessage()).contains("must start with postgresql://");
        assertThat(refused("mysql://app@db/orders").getMessage()).contains("must start with postgresql://");
        assertThat(refused("postgresql://db.example.com/orders").getMessage()).contains("names no user");
        assertThat(refused("postgresql://app@/orders").getMessage()).contains("names no host");
        assertThat(refused("postgresql://app@db:5432").getMessage()).contains("names no database");
        assertThat(refused("postgresql://app@db:5432/").getMessage()).contains("names no database");
        assertThat(refused("postgresql://app@db:port/orders").getMessage()).contains("port 'port'");
        assertThat(refused("postgresql://app@db:70000/orders").getMessage()).contains("1-65535");
        assertThat(refused("postgresql://app@[::1/orders").getMessage()).contains("closing ]");
        assertThat(refused("").getMessage()).contains("--source URI");
    }

    @Test
    void unknownParametersAndBadSslModesAreRefused() {
        assertThat(refused("postgresql://app@db/orders?sslmod=require").getMessage())
                .contains("sslmod").contains("sslmode");
        assertThat(refused("postgresql://app@db/orders?sslmode=sometimes").getMessage())
                .contains("sslmode=sometimes").contains("verify-full");
    }

    @Test
    void aPasswordInTheUriIsRefusedAndNotRepeated() {
        InflightException e = refused("postgresql://app:hunter2@db:5432/orders");
        assertThat(e.getMessage())
                .contains("INFLIGHT_SOURCE_PASSWORD").contains("~/.pgpass")
                .doesNotContain("hunter2");
        InflightException empty = refused("postgresql://app:@db/orders");
        assertThat(empty.getMessage()).contains("password");
        InflightException param = refused("postgresql://app@db/orders?password=hunter2");
        assertThat(param.getMessage()).contains("INFLIGHT_SOURCE_PASSWORD").doesNotContain("hunter2");
        InflightException target = assertThrows(() -> EndpointUri.parse("target",
                "postgresql://app:hunter2@db/orders", Secret.none()));
        assertThat(target.getMessage()).contains("INFLIGHT_TARGET_PASSWORD").doesNotContain("hunter2");
    }

    private static InflightException assertThrows(Runnable r) {
        try {
            r.run();
        } catch (InflightException e) {
            return e;
        }
        throw new AssertionError("nothing thrown");
    }

    @Test
    void endpointDescriptionNeverShowsThePassword() {
        Endpoint e = EndpointUri.parse("source", "postgresql://app@db/orders", Secret.of("hunter2"));
        assertThat(e.toString()).isEqualTo("app@db:5432/orders");
        assertThatThrownBy(() -> parse("postgresql://app@db/orders?sslpassword=x"))
                .isInstanceOf(InflightException.class).hasMessageNotContaining("=x");
    }
}
