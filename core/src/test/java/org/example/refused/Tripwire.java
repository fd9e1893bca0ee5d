package org.example.refused;

/**
 * A class whose initialization is visible: KryoCodecTest checks that refusing a payload that names
 * it never initializes it. Nothing else may touch this class.
 */
public final class Tripwire {
  public static final String PROPERTY = "pureremote.test.tripwire";

  static {
    System.setProperty(PROPERTY, "initialized");
  }

  private Tripwire() {}
}
