package io.workdisk.agent.engine.shared;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import javax.net.ssl.SSLException;

/**
 * What went wrong, in words a person reads: the text of an exception without the Java class names that
 * {@link Throwable#toString()} puts in front and that many JDK exceptions use as their whole message
 * ({@code NoSuchFileException}'s message is only the path). Every message that reaches a user (a CLI
 * line, a task's status, a condition) is built from this rather than from an exception's own text, so
 * that none names a Java type ({@link io.workdisk.api.UserMessages}).
 */
public final class ErrorText {
    private ErrorText() {}

    /** The exception as one human line: what failed and, for file system errors, on which path. */
    public static String of(Throwable e) {
        Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        String message = t.getMessage() == null ? "" : t.getMessage().strip();
        String said = withoutTypeNames(message);
        if (t instanceof FileSystemException fs) {
            String file = fs.getFile() == null ? "" : "'" + fs.getFile() + "'";
            String other = fs.getOtherFile() == null ? "" : " and '" + fs.getOtherFile() + "'";
            String reason = fs.getReason() != null ? fs.getReason() : fileSystemReason(fs);
            return (file + other + ": " + reason).replaceFirst("^: ", "");
        }
        if (t instanceof JsonProcessingException json) {
            JsonLocation at = json.getLocation();
            String where = at == null || at.getLineNr() < 0
                    ? ""
                    : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            return withoutTypeNames(String.valueOf(json.getOriginalMessage())).replaceAll("`[^`]*`", "a value") + where;
        }
        if (t instanceof FileNotFoundException) {
            return said.isEmpty() ? "no such file" : said;
        }
        if (t instanceof EOFException) {
            return said.isEmpty() ? "unexpected end of data" : "unexpected end of data: " + said;
        }
        if (t instanceof UnknownHostException) {
            return "unknown host " + (said.isEmpty() ? "(no name)" : said);
        }
        if (t instanceof SocketTimeoutException || t instanceof InterruptedIOException) {
            return said.isEmpty() ? "timed out" : "timed out: " + said;
        }
        if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
            return said.isEmpty() ? "connection refused" : said;
        }
        if (t instanceof SSLException) {
            return "TLS failed: " + (said.isEmpty() ? "no reason given" : said);
        }
        if (!said.isEmpty()) {
            return said;
        }
        return t.getCause() != null && t.getCause() != t ? of(t.getCause()) : "an unexpected error with no message";
    }

    /** The reason a file system exception of this kind stands for, when it carries none of its own. */
    private static String fileSystemReason(FileSystemException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof NotLinkException) {
            return "not a symbolic link";
        }
        if (e instanceof FileSystemLoopException) {
            return "a loop of symbolic links";
        }
        return "file system error";
    }

    /** A message with the "java.io.IOException: " that wrapping exceptions put before their cause's text cut out. */
    private static String withoutTypeNames(String message) {
        String out = message.replaceAll(
                "(?:\\b(?:java|javax|jdk|sun|com|org|io|net)\\.(?:[a-z0-9_]+\\.)+)?[A-Z][A-Za-z0-9_$]*(?:Exception|Error): ?",
                "");
        return out.strip();
    }
}
