package com.example.fns;

import io.pureremote.PureRemote;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Test functions; the implementation counts executions so tests can prove memo hits. */
@PureRemote(version = "3")
public interface Calc {
  record Point(double x, double y) {}

  record Stats(long count, double sum, Map<String, Long> tags) {}

  Stats stats(List<Point> points, Map<String, Long> tags);

  @PureRemote(name = "com.example.Calc.square", version = "1")
  long square(long x);

  CompletableFuture<String> greetAsync(String name);

  String fail(String message);

  String sleep(Duration duration);

  CompletableFuture<String> sleepAsync(Duration duration);

  String nullResult(int x);

  String crash(int exitCode);

  Object echo(Object value);

  default long squarePlusOne(long x) {
    return square(x) + 1;
  }
}
