// The second of two runs in one warm session: prints exactly `clean` when nothing warm-leak-1.java left is
// visible, else what leaked.
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;

public class WarmLeak2 {
    public static void main(String[] args) throws Exception {
        List<String> leaks = new ArrayList<>();
        if (System.getProperty("codebeaker.leak") != null) leaks.add("a system property");
        if (Locale.getDefault().equals(Locale.GERMANY)) leaks.add("the default locale");
        if (TimeZone.getDefault().getID().equals("Asia/Tokyo")) leaks.add("the default time zone");
        if (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("codebeaker-leak"))) {
            leaks.add("a thread");
        }
        try {
            // Run 1's class is still in the build folder; loaded here, its static field is run 1's only in run 1's JVM.
            if (Class.forName("WarmLeak1").getField("setByRun1").getInt(null) != 0) leaks.add("a class's static field");
        } catch (ClassNotFoundException e) {
            // Not compiled in this session: nothing of it to see.
        }
        System.out.println(leaks.isEmpty() ? "clean" : "leaked: " + String.join(", ", leaks));
    }
}
