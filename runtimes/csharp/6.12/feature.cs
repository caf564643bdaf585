// C# 7 (the newest mcs compiles): tuples, local functions, pattern matching with `is`, out variables.
using System;

class Program
{
    static void Main()
    {
        (int Sum, int Count) Totals(int[] values)
        {
            var sum = 0;
            foreach (var value in values) sum += value;
            return (sum, values.Length);
        }

        var totals = Totals(new[] { 1, 2, 3 });
        object boxed = totals.Sum;
        if (boxed is int six && six == 6 && int.TryParse("3", out var three) && three == totals.Count)
            Console.WriteLine("OK");
        else
            throw new Exception("unexpected results");
    }
}
