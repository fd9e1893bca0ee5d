package io.pureremote.cli;

import io.pureremote.config.ConfigException;
import io.pureremote.config.ConfigLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pureremote config}: the configuration a program in this directory would run with. */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Show the resolved configuration (.pureremote.toml, PUREREMOTE_* variables, defaults).",
    subcommands = {ConfigCommand.Show.class, CommandLine.HelpCommand.class})
final class ConfigCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * {@code pureremote config show}: every setting with the value that won and where it came from
   * (file and line, environment variable, or built-in default), the selected team's values laid
   * over the rest, as {@code ConfiguredRuntime.fromConfig()} would read them here.
   */
  @Command(name = "show", mixinStandardHelpOptions = true,
      description = {"Print every setting, the value that won and where it came from.",
          "Reads the file a program started here would: $PUREREMOTE_CONFIG, .pureremote.toml upwards, ~/.pureremote.toml."})
  static final class Show implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--file", paramLabel = "PATH", description = "read this file instead of searching")
    Path file;

    @Option(names = "--team", paramLabel = "TEAM", description = "select this team, as PUREREMOTE_TEAM would")
    String team;

    @Option(names = "--function", paramLabel = "NAME",
        description = "of the [functions.\"...\"] sections, show only this function's")
    String function;

    @Override
    public Integer call() {
      CommandLine cl = spec.commandLine();
      ConfigLoader.Builder b = ConfigLoader.builder().environment(System.getenv());
      if (team != null) {
        b.override("team", team);
      }
      ConfigLoader loader = b.build();
      PrintWriter out = cl.getOut();
      List<ConfigLoader.Source> sources;
      Optional<Path> found;
      try {
        found = file != null ? Optional.of(file.toAbsolutePath().normalize()) : loader.findFile();
        sources = loader.explain(found.orElse(null));
      } catch (ConfigException e) {
        cl.getErr().println("error: the configuration is invalid:");
        cl.getErr().println(e.getMessage());
        cl.getErr().flush();
        return PureRemoteCli.NOT_FOUND;
      }
      out.println("file: " + found.map(Path::toString).orElse("none found (built-in defaults and PUREREMOTE_* variables)"));
      String functionPrefix = function == null ? null : "functions." + quoted(function) + ".";
      List<ConfigLoader.Source> shown = sources.stream()
          .filter(s -> functionPrefix == null || !s.key().startsWith("functions.") || s.key().startsWith(functionPrefix))
          .toList();
      int keyWidth = shown.stream().mapToInt(s -> s.key().length()).max().orElse(0);
      int valueWidth = Math.min(48, shown.stream().mapToInt(s -> s.value().length()).max().orElse(0));
      for (ConfigLoader.Source s : shown) {
        out.println(pad(s.key(), keyWidth) + "  " + pad(s.value(), valueWidth) + "  <- " + s.from());
      }
      if (functionPrefix != null && shown.stream().noneMatch(s -> s.key().startsWith(functionPrefix))) {
        out.println("(no [functions." + quoted(function) + "] section: the function runs with the values above)");
      }
      out.flush();
      return PureRemoteCli.OK;
    }

    private static String quoted(String name) {
      return name.matches("[A-Za-z0-9_-]+") ? name : "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String pad(String s, int width) {
      return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
  }
}
