// The first of two runs in one warm session (execute_code: the file is named after the public class): it leaves
// state behind in the ways a Java program can, for warm-leak-2.java to look for. None of it may reach the next run.
import java.util.Locale;
import java.util.TimeZone;

public class WarmLeak1 {
    public static int setByRun1;

    public static void main(String[] args) {
        setByRun1 = 1;
        System.setProperty("codebeaker.leak", "run 1");
        Locale.setDefault(Locale.GERMANY);
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Tokyo"));
        Thread lingering = new Thread(() -> {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "codebeaker-leak");
        lingering.setDaemon(true);
        lingering.start();
        System.out.println("set");
    }
}
