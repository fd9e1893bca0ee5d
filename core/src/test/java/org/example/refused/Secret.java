package org.example.refused;

/** A value in a package no Pure Remote codec allows unless told to (see KryoCodecTest). */
public record Secret(String value) {}
