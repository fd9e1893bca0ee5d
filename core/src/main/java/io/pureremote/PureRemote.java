package io.pureremote;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface method (or, on the interface, all of its abstract methods) as a pure remote
 * function: calling it through a {@link RemoteRuntime} proxy runs it remotely once per distinct
 * argument values and memoizes the result.
 *
 * <p>The annotation carries <em>identity only</em>: the values that decide where results are
 * memoized. Change {@link #version()} on purpose when the function's logic changes so old results
 * are no longer reused. Image, resources, timeouts and retries are options, not identity.
 *
 * <pre>{@code
 * public interface WordStats {
 *   @PureRemote(version = "2")
 *   Histogram count(Corpus corpus);
 * }
 * }</pre>
 *
 * <p>A method-level annotation overrides the interface-level one for that method.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface PureRemote {
  /**
   * Stable function name used in the memo path. Defaults to {@code <interface FQN>#<method>}.
   * Allowed characters: letters, digits, {@code . _ - $ #}. On an interface-level annotation a
   * non-empty name is rejected (it would give every method the same identity).
   */
  String name() default "";

  /**
   * Logic version: bump it when the function's behaviour changes. Letters, digits, {@code . _ -}.
   * Defaults to {@code "1"}.
   */
  String version() default "1";

  /**
   * Opt-in code identity: when true, the memo key also covers the implementation's bytecode and
   * that of every class it reaches in its own packages (the interface's and the implementation's
   * packages and their subpackages), so changing a helper method is a miss without a {@link
   * #version()} bump, while recompiling the same source or editing a comment is not. Classes of
   * the JDK and of libraries are not covered. The remote side checks that it runs the same code
   * and refuses to run (naming the class that differs) when it does not. See {@code
   * docs/code-identity.md}.
   */
  boolean codeHash() default false;
}
