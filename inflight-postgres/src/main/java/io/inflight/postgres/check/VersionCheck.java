package io.inflight.postgres.check;

import io.inflight.core.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/** The source must speak pgoutput (10+) and the target must be the same or a newer major version. */
public final class VersionCheck {

    static final String NAME = "versions";

    private VersionCheck() {
    }

    public static List<Finding> inspect(ServerInfo source, ServerInfo target) {
        List<Finding> out = new ArrayList<>();
        if (source.major() < 10) {
            out.add(Finding.blocker(ErrorCode.UNSUPPORTED, NAME, "source", "source PostgreSQL " + source.version()
                    + " is too old: logical replication with pgoutput needs 10 or newer (13+ is tested)",
                    "Upgrade the source to PostgreSQL 10 or newer first"));
        }
        if (target.major() < source.major()) {
            out.add(Finding.blocker(ErrorCode.UNSUPPORTED, NAME, "target", "target PostgreSQL " + target.version()
                    + " is older than the source's " + source.version()
                    + ": Inflight migrates to the same or a newer major version only",
                    "Use a target of PostgreSQL " + source.major() + " or newer"));
        }
        if (out.isEmpty()) {
            out.add(Finding.info(NAME, "versions", "PostgreSQL " + source.version() + " to " + target.version()));
        }
        return out;
    }
}
