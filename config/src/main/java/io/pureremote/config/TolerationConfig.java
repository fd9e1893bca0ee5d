package io.pureremote.config;

import java.util.Objects;
import java.util.Set;

/**
 * A pod toleration as configuration states it: either spot capacity of a cloud, which the
 * Kubernetes shell turns into that provider's taint, or an explicit taint. Immutable.
 *
 * <p>In TOML a toleration is a name — {@code "spot"} (the cloud given by the {@code cloud} key),
 * {@code "spot-aks"}, {@code "spot-eks"}, {@code "spot-gke"} — or an inline table {@code {key =
 * "nvidia.com/gpu", operator = "Exists", effect = "NoSchedule"}}.
 */
public sealed interface TolerationConfig {

  /** Spot/preemptible nodes of {@code cloud}. */
  static TolerationConfig spot(Cloud cloud) {
    return new Spot(cloud);
  }

  /** Tolerates taint {@code key=value:effect}. */
  static TolerationConfig equal(String key, String value, String effect) {
    return new Taint(key, "Equal", value, effect);
  }

  /** Tolerates any taint with {@code key} and {@code effect}, whatever its value. */
  static TolerationConfig exists(String key, String effect) {
    return new Taint(key, "Exists", "", effect);
  }

  /**
   * Spot capacity of one cloud.
   *
   * @param cloud whose spot taint to tolerate
   */
  record Spot(Cloud cloud) implements TolerationConfig {
    /** Validates. */
    public Spot {
      Objects.requireNonNull(cloud, "cloud");
    }

    /** The configuration name: {@code spot-aks}, {@code spot-eks} or {@code spot-gke}. */
    @Override
    public String toString() {
      return "spot-" + cloud.id();
    }
  }

  /**
   * An explicit toleration.
   *
   * @param key the taint key; empty only with operator {@code Exists} (tolerates every taint)
   * @param operator {@code Equal} or {@code Exists}
   * @param value the taint value for {@code Equal}; empty for {@code Exists}
   * @param effect {@code NoSchedule}, {@code PreferNoSchedule}, {@code NoExecute}, or empty for all
   */
  record Taint(String key, String operator, String value, String effect) implements TolerationConfig {
    static final Set<String> OPERATORS = Set.of("Equal", "Exists");
    static final Set<String> EFFECTS = Set.of("", "NoSchedule", "PreferNoSchedule", "NoExecute");

    /** Validates. */
    public Taint {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(operator, "operator");
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(effect, "effect");
      if (!OPERATORS.contains(operator)) {
        throw new IllegalArgumentException("toleration operator must be Equal or Exists, got '" + operator + "'");
      }
      if (!EFFECTS.contains(effect)) {
        throw new IllegalArgumentException(
            "toleration effect must be NoSchedule, PreferNoSchedule or NoExecute, got '" + effect + "'");
      }
      if (operator.equals("Exists") && !value.isEmpty()) {
        throw new IllegalArgumentException("toleration operator Exists takes no value, got '" + value + "'");
      }
      if (operator.equals("Equal") && key.isEmpty()) {
        throw new IllegalArgumentException("toleration with operator Equal needs a key");
      }
    }
  }
}
