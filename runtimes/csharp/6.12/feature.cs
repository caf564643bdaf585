// C# 7 as mcs has it: tuples and deconstruction, out variables, `is` type patterns, throw expressions and
// binary literals (mcs lacks local functions and `switch` on types).
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
        var (sum, count) = Totals(new[] { 1, 2, 3 });
        object boxed = sum;
        var six = 0b0000_0110;
        var word = Environment.GetEnvironmentVariable("HOME") ?? throw new Exception("no HOME");
        if (boxed is int total && total == six && int.TryParse("3", out var three) && three == count && word.Length > 0)
            Console.WriteLine("OK");
        else
            throw new Exception("unexpected results");
    }
}
