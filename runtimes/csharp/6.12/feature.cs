// C# 7 (the newest mcs compiles): tuples and deconstruction, local functions, `is` patterns, out variables.
using System;

class Program
{
    static (int Sum, int Count) Totals(int[] values)
    {
        var sum = 0;
        foreach (var value in values) sum += value;
        return (sum, values.Length);
    }

    static void Main()
    {
        int Twice(int n) => n * 2;
        var (sum, count) = Totals(new[] { 1, 2, 3 });
        object boxed = sum;
        if (boxed is int six && six == 6 && int.TryParse("3", out var three) && three == count && Twice(3) == 6)
            Console.WriteLine("OK");
        else
            throw new Exception("unexpected results");
    }
}
