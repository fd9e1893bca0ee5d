package io.pureremote.cli;

import io.pureremote.PureRemote;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A function whose parameters cover the JSON forms why-miss --args reads, and one it cannot. */
public interface Catalog {
  enum Mode { FAST, EXACT }

  record Filters(List<String> order, Set<String> tags, Map<String, Integer> limits, Mode mode, Optional<LocalDate> since) {}

  /** A plain class, filled field by field. */
  final class Window {
    double from;
    double to;

    public Window() {}
  }

  /** Keyable (fields by name) but not readable from JSON: no no-arg constructor. */
  final class Handle {
    private final long id;

    public Handle(long id) {
      this.id = id;
    }

    long id() {
      return id;
    }
  }

  @PureRemote(version = "4")
  String rank(String query, Filters filters, Window window);

  @PureRemote(name = "Catalog#rankTop")
  String rank(String query, int limit);

  @PureRemote
  String open(Handle handle);
}
