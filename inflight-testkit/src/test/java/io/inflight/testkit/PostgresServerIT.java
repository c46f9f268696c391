package io.inflight.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(300)
class PostgresServerIT {

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {13, 15, 17})
    void startsLogicalServerWithPasswordAuthAndCleansUp(int major) throws Exception {
        Path data;
        try (PostgresServer pg = PostgresServer.start(major)) {
            data = pg.dataDir();
            try (Connection c = pg.connect("postgres"); ResultSet rs = c.createStatement().executeQuery(
                    "select current_setting('server_version_num')::int / 10000, current_setting('wal_level')")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(major);
                assertThat(rs.getString(2)).isEqualTo("logical");
            }
            Properties wrong = new Properties();
            wrong.setProperty("user", PostgresServer.SUPERUSER);
            wrong.setProperty("password", "not-the-password");
            assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl("postgres"), wrong))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("password authentication failed");

            pg.restart();
            pg.execute("postgres", "create table t(i int)", "insert into t values (1)");
        }
        assertThat(Files.exists(data)).isFalse();
    }
}
