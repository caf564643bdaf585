import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Java's resident compiler (docs/WARM.md): one JVM that keeps javac loaded and compiled, sent each compile's cold
 * command line (`javac -J… -encoding UTF-8 -cp … -d {build} -sourcepath {dir} {file}`). It runs that command line
 * through javac's own command-line entry point (com.sun.tools.javac.Main.compile, what the `javac` launcher calls
 * with the same arguments), so the diagnostics, the files written and the exit code are the cold javac's. Each
 * compile is a new javac context: what carries over is the JDK's own (its class index, JIT-compiled javac).
 * `-J` options are the cold launcher's JVM options and are left out. A command line that is not this JDK's javac,
 * or that names relative paths from another directory than this JVM's, is answered `fallback=1`.
 */
public final class ResidentJavac {
    /** How the `javac` launcher turns its command line's bytes into arguments. */
    private static final Charset ARGUMENTS = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    /** javac options whose value is not a path (the others' values are paths or lists of paths). */
    private static final Set<String> NON_PATH_VALUES = Set.of("-encoding", "-source", "--source", "-target", "--target",
            "--release", "-processor", "--add-modules", "--limit-modules", "--add-exports", "--add-reads", "--module",
            "-m", "--default-module-for-created-files");
    /** javac options that take the next argument as their value. */
    /** The class path options whose value the javac launcher expands wildcards in. */
    private static final Set<String> CLASS_PATH_OPTIONS = Set.of("-cp", "-classpath", "--class-path");
    private static final Set<String> PATH_VALUES = Set.of("-d", "-s", "-h",
            "-sourcepath", "--source-path", "-processorpath", "--processor-path", "-bootclasspath", "--boot-class-path",
            "-extdirs", "-endorseddirs", "--module-path", "-p", "--module-source-path", "--upgrade-module-path",
            "--system", "--processor-module-path", "--patch-module");

    /** How long after an answer the heap is collected (and shrunk) when no other request came: after the run. */
    private static final long IDLE_GC_MS = 500;
    private static final ScheduledExecutorService IDLE = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "codebeaker-idle-gc");
        thread.setDaemon(true);
        return thread;
    });
    private static ScheduledFuture<?> pendingCollection;

    public static void main(String[] args) throws IOException {
        warmUp();
        System.gc();
        var requests = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in)));
        try (OutputStream answers = new FileOutputStream("/dev/fd/3")) {
            for (;;) {
                int length;
                try {
                    length = requests.readInt();
                } catch (EOFException end) {
                    return;
                }
                byte[] request = requests.readNBytes(length);
                if (request.length < length) return;
                byte[] answer = (answer(request) + "\0").getBytes(StandardCharsets.UTF_8);
                byte[] framed = new byte[4 + answer.length];
                framed[0] = (byte) (answer.length >>> 24);
                framed[1] = (byte) (answer.length >>> 16);
                framed[2] = (byte) (answer.length >>> 8);
                framed[3] = (byte) answer.length;
                System.arraycopy(answer, 0, framed, 4, answer.length);
                answers.write(framed);
                answers.flush();
                collectWhenIdle();
            }
        }
    }

    /**
     * Gives back the heap javac grew to (with -XX:MaxHeapFreeRatio, see resident-javac.args), once the program this
     * compile was for has most likely run: an idle compiler holds its classes and code, not a compile's garbage.
     */
    private static void collectWhenIdle() {
        if (pendingCollection != null) pendingCollection.cancel(false);
        pendingCollection = IDLE.schedule(System::gc, IDLE_GC_MS, TimeUnit.MILLISECONDS);
    }

    /** `exit=<code>` once the compile's output is written, or `fallback=1` having written nothing. */
    private static String answer(byte[] request) {
        String cwd = null;
        List<String> argv = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= request.length; i++) {
            if (i < request.length && request[i] != 0) continue;
            String field = new String(request, start, i - start, ARGUMENTS);
            if (field.startsWith("cwd=")) cwd = field.substring(4);
            else if (field.startsWith("arg=")) argv.add(field.substring(4));
            start = i + 1;
        }
        String[] javacArgs = cwd == null ? null : javacArguments(cwd, argv);
        if (javacArgs == null) return "fallback=1";
        int code = com.sun.tools.javac.Main.compile(javacArgs);
        System.out.flush();
        System.err.flush();
        return "exit=" + code;
    }

    /** The arguments javac's Main gets from this command line, or null when a cold javac must run it. */
    private static String[] javacArguments(String cwd, List<String> argv) {
        if (argv.isEmpty() || !isThisJavac(argv.get(0))) return null;
        // Environment variables the javac launcher reads (CLASSPATH becomes the env.class.path javac falls back on).
        if (System.getenv("CLASSPATH") != null || System.getenv("JDK_JAVAC_OPTIONS") != null) return null;
        boolean elsewhere;
        try {
            elsewhere = !Path.of(cwd).toRealPath().equals(Path.of("").toRealPath());
        } catch (IOException e) {
            return null;
        }
        List<String> args = new ArrayList<>();
        for (int i = 1; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (arg.startsWith("-J")) continue;
            if (arg.startsWith("@")) return null; // javac reads argument files itself, after the launcher's work below
            if (CLASS_PATH_OPTIONS.contains(arg) && i + 1 < argv.size()) {
                args.add(arg);
                args.add(expandWildcards(argv.get(i + 1)));
                if (elsewhere && !allAbsolute(argv.get(i + 1))) return null;
                i++;
                continue;
            }
            if (arg.startsWith("--class-path=")) {
                if (elsewhere && !allAbsolute(arg.substring(13))) return null;
                args.add("--class-path=" + expandWildcards(arg.substring(13)));
                continue;
            }
            args.add(arg);
            if (!elsewhere) continue;
            if (NON_PATH_VALUES.contains(arg) && i + 1 < argv.size()) {
                args.add(argv.get(++i));
            } else if (!arg.startsWith("-") && !allAbsolute(arg)) {
                return null;
            } else if (PATH_VALUES.contains(arg) && i + 1 < argv.size() && !allAbsolute(argv.get(i + 1))) {
                return null;
            }
        }
        return args.toArray(String[]::new);
    }

    /**
     * What the `javac` launcher (libjli) does to a class path argument before javac sees it: each entry that is a
     * folder and `*` (and not itself a file) becomes that folder's .jar files, in directory order.
     */
    private static String expandWildcards(String classpath) {
        if (!classpath.contains("*")) return classpath;
        List<String> entries = new ArrayList<>();
        boolean expanded = false;
        for (String entry : classpath.split(":", -1)) {
            int n = entry.length();
            boolean wildcard = n > 0 && entry.charAt(n - 1) == '*' && (n == 1 || entry.charAt(n - 2) == '/')
                    && !new File(entry).exists();
            String folder = entry.substring(0, Math.max(0, n - 1));
            String[] names = wildcard ? new File(n == 1 ? "." : folder).list() : null;
            List<String> jars = new ArrayList<>();
            for (String name : names == null ? new String[0] : names) {
                int m = name.length();
                if (m >= 4 && name.charAt(m - 4) == '.' && (name.endsWith("jar") || name.endsWith("JAR")) && !name.contains(":")) {
                    jars.add(folder + name);
                }
            }
            expanded |= !jars.isEmpty();
            entries.addAll(jars.isEmpty() ? List.of(entry) : jars);
        }
        return expanded ? String.join(":", entries) : classpath;
    }

    private static boolean allAbsolute(String paths) {
        for (String path : paths.split(":", -1)) {
            String file = path.startsWith("@") ? path.substring(1) : path;
            if (!file.startsWith("/") && !file.contains("=/")) return false;
        }
        return true;
    }

    /** Whether `command` is found (as execvp would) to be this JDK's javac. */
    private static boolean isThisJavac(String command) {
        try {
            Path own = Path.of(System.getProperty("java.home"), "bin", "javac").toRealPath();
            if (command.contains("/")) return Path.of(command).toRealPath().equals(own);
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":", -1)) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, command);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toRealPath().equals(own);
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** Compiles a small program that touches what most programs do (and one with errors) a few times, quietly. */
    private static void warmUp() throws IOException {
        Path dir = Files.createTempDirectory("codebeaker-javac-warm-up");
        try {
            Path good = Files.writeString(dir.resolve("Warm.java"), """
                    import java.util.*;
                    import java.util.function.*;
                    import java.util.stream.*;

                    public class Warm {
                        record Point(int x, int y) {}
                        enum Color { RED, GREEN }
                        interface Shape { double area(); }

                        public static void main(String[] args) throws Exception {
                            List<Point> points = new ArrayList<>();
                            for (int i = 0; i < args.length; i++) points.add(new Point(i, i * i));
                            Map<Integer, List<Point>> byX = points.stream().collect(Collectors.groupingBy(Point::x));
                            Function<Integer, String> label = n -> "n=" + n;
                            Shape unit = () -> 1.0;
                            String size = switch (args.length) { case 0 -> "none"; default -> "some"; };
                            try (Scanner in = new Scanner(System.in)) {
                                System.out.printf("%s %s %.2f %s%n", label.apply(points.size()), byX, unit.area(), size);
                            }
                            System.out.println(Color.RED + String.join(",", args));
                        }
                    }
                    """);
            Path bad = Files.writeString(dir.resolve("Bad.java"), """
                    public class Bad {
                        public static void main(String[] args) {
                            int x = "text";
                            System.out.println(y)
                        }
                    }
                    """);
            PrintWriter quiet = new PrintWriter(Writer.nullWriter());
            for (int round = 0; round < 4; round++) {
                for (Path source : List.of(good, bad)) {
                    com.sun.tools.javac.Main.compile(new String[] {"-encoding", "UTF-8", "-d", dir.toString(),
                            "-sourcepath", dir.toString(), source.toString()}, quiet);
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
