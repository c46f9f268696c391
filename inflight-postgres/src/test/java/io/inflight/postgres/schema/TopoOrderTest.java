package io.inflight.postgres.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopoOrderTest {

    @Test
    void putsEachItemAfterWhatItDependsOnAndKeepsTheGivenOrderOtherwise() {
        // view on view on table, domain over domain, a function taking a table's row type
        Map<String, Set<String>> deps = Map.of(
                "domain2", Set.of("domain1"),
                "table", Set.of("domain2", "default_fn"),
                "rowtype_fn", Set.of("table"),
                "unknown", Set.of("not-in-the-list"));
        List<String> items = List.of("rowtype_fn", "domain2", "table", "domain1", "default_fn", "unknown");

        List<String> sorted = TopoOrder.sort(items, s -> s, s -> deps.getOrDefault(s, Set.of()));

        assertThat(sorted).containsExactly("domain1", "domain2", "default_fn", "table", "rowtype_fn", "unknown");
    }

    @Test
    void emitsEveryItemOfACycleOnce() {
        Map<String, Set<String>> deps = Map.of("a", Set.of("b"), "b", Set.of("a"), "c", Set.of("a"));

        List<String> sorted = TopoOrder.sort(List.of("c", "a", "b"), s -> s, s -> deps.getOrDefault(s, Set.of()));

        assertThat(sorted).containsExactly("a", "c", "b"); // the cycle is broken at a, c waits on a only
    }
}
