/**
 * The {@code pureremote} command line: {@code inspect}, {@code why-miss}, {@code invalidate} and
 * {@code runs} over a memo store. Entry point: {@link io.pureremote.cli.PureRemoteCli}.
 */
package io.pureremote.cli;
