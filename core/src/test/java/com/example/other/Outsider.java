package com.example.other;

/** A value type from a package the function's allowlist does not cover. */
public record Outsider(String secret) {}
