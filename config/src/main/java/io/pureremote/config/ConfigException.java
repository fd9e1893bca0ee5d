package io.pureremote.config;

import io.pureremote.PureRemoteException;
import java.util.List;

/**
 * The configuration is invalid: a TOML syntax error, an unknown key, a value of the wrong type or
 * form, an unknown team or shell, or settings that do not fit together. Every problem found is
 * listed, each with its file, line and key (or environment variable) and what was expected; the
 * configuration is then not used at all.
 */
public class ConfigException extends PureRemoteException {
  private static final long serialVersionUID = 1L;

  private final transient List<ConfigProblem> problems;

  /** An exception listing {@code problems} (at least one). */
  public ConfigException(List<ConfigProblem> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  /** An exception for one problem with a cause, e.g. an unreadable file. */
  public ConfigException(ConfigProblem problem, Throwable cause) {
    super(message(List.of(problem)), cause);
    this.problems = List.of(problem);
  }

  /** Every problem, in the order found: file problems by position, then the environment's. */
  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String message(List<ConfigProblem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    StringBuilder b = new StringBuilder("Invalid Pure Remote configuration (")
        .append(problems.size()).append(problems.size() == 1 ? " problem):" : " problems):");
    for (ConfigProblem p : problems) {
      b.append("\n  - ").append(p);
    }
    return b.toString();
  }
}
