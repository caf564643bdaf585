// New in Java 17: sealed interfaces; records and pattern matching for instanceof (16) work too.
public class Feature {
    sealed interface Shape permits Square, Circle {}
    record Square(int side) implements Shape {}
    record Circle(int radius) implements Shape {}

    static int size(Shape shape) {
        if (shape instanceof Square square) return square.side();
        return ((Circle) shape).radius();
    }

    public static void main(String[] args) {
        if (size(new Square(2)) + size(new Circle(3)) != 5) throw new AssertionError("unexpected size");
        System.out.println("OK");
    }
}
