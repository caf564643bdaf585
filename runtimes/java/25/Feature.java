// New in Java 25: a compact source file (no class around main), module imports, and java.lang.IO.
import module java.base;

void main() {
    List<String> letters = Stream.of("O", "K").toList();
    IO.println(String.join("", letters));
}
