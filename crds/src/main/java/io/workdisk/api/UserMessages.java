package io.workdisk.api;

import java.util.regex.Pattern;

/**
 * What every message written for a person obeys, the operator's and the agent's alike (a condition, a
 * task's outcome, a CLI line): it names what went wrong, never a Java type. The factories that build such
 * messages assert it, so every failure the test suite provokes is checked where it is made (Surefire runs
 * with assertions on); the agent words exceptions so that it holds.
 */
public final class UserMessages {
    /** A qualified class name, or the simple name of an exception or error type. */
    private static final Pattern JAVA_TYPE =
            Pattern.compile("\\b(?:java|javax|jdk|sun|com|org|io|net)\\.(?:[a-z0-9_]+\\.)+[A-Z][A-Za-z0-9_$]*"
                    + "|\\b[A-Z][A-Za-z0-9]*(?:Exception|Error)\\b");

    private UserMessages() {}

    /** Whether {@code text} names a Java type, which a message meant for a person must not. */
    public static boolean namesJavaType(String text) {
        return text != null && JAVA_TYPE.matcher(text).find();
    }
}
