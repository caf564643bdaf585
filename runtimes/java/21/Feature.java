// New in Java 21: record patterns and pattern matching for switch.
public class Feature {
    sealed interface Shape permits Square, Rectangle {}
    record Square(int side) implements Shape {}
    record Rectangle(int width, int height) implements Shape {}

    static int area(Shape shape) {
        return switch (shape) {
            case Square(int side) -> side * side;
            case Rectangle(int width, int height) when width == height -> width * width;
            case Rectangle(int width, int height) -> width * height;
        };
    }

    public static void main(String[] args) {
        if (area(new Square(2)) + area(new Rectangle(2, 3)) != 10) throw new AssertionError("unexpected area");
        System.out.println("OK");
    }
}
