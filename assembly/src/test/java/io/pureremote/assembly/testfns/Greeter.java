package io.pureremote.assembly.testfns;

import io.pureremote.PureRemote;

/** A function for assembly tests. */
public interface Greeter {
  @PureRemote(version = "1")
  String greet(String name);
}
