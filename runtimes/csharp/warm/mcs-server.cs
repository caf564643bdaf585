// C#'s resident compiler (docs/WARM.md, warm.compiler): mcs, the compiler the cold line runs (mcs.exe, loaded
// as a library), JIT-compiled once and then called for each compile as its own Main would call it: the same
// command-line parser, driver steps and report printer, so the same files, diagnostics and exit code. mcs reads its
// references with IKVM.Reflection into a Universe it makes per compile; References (mcs-references.cs) keeps the
// framework's one between compiles when mcs would read the same files. What mcs keeps in statics between compiles,
// CompilerCallableEntryPoint.Reset clears, as mcs's own in-process entry point does.
//
// A compile's output is held until it is done: if mcs throws (an internal error, which the cold line would print as
// an unhandled exception), nothing has been written yet, and the answer is `fallback`: the runner runs it cold.
using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Mono.CSharp;

static class McsServer
{
    const int AnswerDescriptor = 3;

    static int Main()
    {
        Stream requests = Console.OpenStandardInput();
        WarmUp();
        byte[] request;
        bool collect = false;
        for (;;)
        {
            // Between compiles, not during one, and not while the program just compiled runs: a full collection
            // (4 ms, over the kept references) right after the answer took the CPU quota the run needed. Once no
            // request has come for a while, the compiler shrinks to the size of its code and references.
            if (collect && !Readable(RequestDescriptor, IdleMilliseconds))
            {
                GC.Collect();
                collect = false;
            }
            if ((request = ReadMessage(requests)) == null) return 0;
            Answer(Handle(request));
            collect = true;
        }
    }

    const int RequestDescriptor = 0;
    const int IdleMilliseconds = 200;

    // Whether a descriptor has something to read (or has reached its end) within a time; poll(2).
    static bool Readable(int descriptor, int milliseconds)
    {
        var watched = new PollDescriptor[] { new PollDescriptor { Descriptor = descriptor, Events = PollIn } };
        return poll(watched, (UIntPtr)1, milliseconds) != 0;
    }

    const short PollIn = 1;

    [StructLayout(LayoutKind.Sequential)]
    struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }

    [DllImport("libc", SetLastError = true)]
    static extern int poll([In, Out] PollDescriptor[] descriptors, UIntPtr count, int milliseconds);

    static string Handle(byte[] request)
    {
        string cwd;
        List<string> args;
        if (!Parse(request, out cwd, out args) || !Handles(args)) return "fallback=1";
        string stdout, stderr;
        int? exit = Run(cwd, args.GetRange(1, args.Count - 1).ToArray(), out stdout, out stderr);
        if (exit == null) return "fallback=1";
        Console.Out.Write(stdout);
        Console.Out.Flush();
        Console.Error.Write(stderr);
        Console.Error.Flush();
        return "exit=" + exit;
    }

    // The cold line is `mcs OPTIONS FILES`. Response files and mcs's long (diagnostic) options stay cold.
    static bool Handles(List<string> args)
    {
        if (args.Count < 2 || args[0] != "mcs") return false;
        return !args.Exists(arg => arg.StartsWith("@") || arg.StartsWith("--"));
    }

    // Compiles in cwd with Console.Out and Console.Error held; null when mcs threw.
    static int? Run(string cwd, string[] args, out string stdout, out string stderr)
    {
        TextWriter realOut = Console.Out, realError = Console.Error;
        string realDirectory = Environment.CurrentDirectory;
        var heldOut = new StringWriter();
        var heldError = new StringWriter();
        try
        {
            Console.SetOut(heldOut);
            Console.SetError(heldError);
            Environment.CurrentDirectory = cwd;
            return Compile(args);
        }
        catch (Exception)
        {
            return null;
        }
        finally
        {
            Console.SetOut(realOut);
            Console.SetError(realError);
            Environment.CurrentDirectory = realDirectory;
            CompilerCallableEntryPoint.Reset();
            stdout = heldOut.ToString();
            stderr = heldError.ToString();
        }
    }

    // Mono.CSharp.Driver.Main, but returning its exit code where Main calls Environment.Exit.
    static int Compile(string[] args)
    {
        Location.InEmacs = Environment.GetEnvironmentVariable("EMACS") == "t";
        var parser = new CommandLineParser(Console.Out);
        CompilerSettings settings = parser.ParseArguments(args);
        if (settings == null) return 1;
        if (parser.HasBeenStopped) return 0;
        var context = new CompilerContext(settings, new ConsoleReportPrinter());
        bool compiled = References.Compile(context);
        Report report = context.Report;
        if (compiled && report.Errors == 0)
        {
            if (report.Warnings > 0) Console.WriteLine("Compilation succeeded - {0} warning(s)", report.Warnings);
            return 0;
        }
        Console.WriteLine("Compilation failed: {0} error(s), {1} warnings", report.Errors, report.Warnings);
        return 1;
    }

    // Compiles a program that uses the common parts of the language, and one with errors, so that the JIT has
    // compiled what a user's compile runs through before the first one comes. In a directory of its own.
    static void WarmUp()
    {
        string directory = Path.Combine(Path.GetTempPath(), "codebeaker-mcs-warmup-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string program = Path.Combine(directory, "Program.cs");
            File.WriteAllText(program, WarmUpProgram);
            string output = "-out:" + Path.Combine(directory, "Program.exe");
            string unused, unusedToo;
            Run(directory, new[] { "-nologo", "-debug", output, program }, out unused, out unusedToo);
            File.WriteAllText(program, "class P { static void Main() { int x = \"s\"; Missing(); } }");
            Run(directory, new[] { "-nologo", "-debug", output, program }, out unused, out unusedToo);
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    const string WarmUpProgram = @"
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;

interface IShape { double Area { get; } }
struct Point { public int X, Y; public Point(int x, int y) { X = x; Y = y; } }
enum Kind { Circle, Square }
abstract class Shape : IShape { public abstract double Area { get; } public override string ToString() => $""{GetType().Name}({Area:F2})""; }
class Circle : Shape { readonly double r; public Circle(double r) { this.r = r; } public override double Area => Math.PI * r * r; }
class Square : Shape { public double Side { get; set; } public override double Area { get { return Side * Side; } } }
static class Extensions { public static IEnumerable<T> EveryOther<T>(this IEnumerable<T> items) { bool take = true; foreach (var item in items) { if (take) yield return item; take = !take; } } }
class Program
{
    delegate int Op(int a, int b);
    static async Task<int> LaterAsync(int n) { await Task.Yield(); return n * 2; }
    static void Main(string[] args)
    {
        var shapes = new List<Shape> { new Circle(1), new Square { Side = 2 } };
        var byKind = new Dictionary<Kind, Shape> { [Kind.Circle] = shapes[0], [Kind.Square] = shapes[1] };
        foreach (var pair in byKind.OrderBy(p => p.Value.Area)) Console.WriteLine(""{0}: {1}"", pair.Key, pair.Value);
        var query = from s in shapes where s.Area > 1 select new { s.Area, Name = s.ToString() };
        Op add = (a, b) => a + b;
        Func<int, int> twice = x => add(x, x);
        var text = new StringBuilder();
        for (int i = 0; i < 3; i++) text.Append(twice(i)).Append(',');
        int[] numbers = { 3, 1, 2 };
        Array.Sort(numbers);
        var tuple = (first: numbers[0], last: numbers[numbers.Length - 1]);
        switch (args.Length) { case 0: break; default: Console.WriteLine(args[0]); break; }
        try { checked { int big = int.MaxValue; big++; } }
        catch (OverflowException e) when (e.Message != null) { Console.Error.WriteLine(e.Message); }
        finally { Console.WriteLine(text); }
        string nothing = null;
        Console.WriteLine(nothing?.Length ?? -1);
        Console.WriteLine(query.Count() + numbers.EveryOther().Sum() + tuple.last + LaterAsync(1).Result);
        object point = new Point(1, 2);
        if (point is Point q && q.X > 0) Console.WriteLine(nameof(Point));
    }
}
";

    // A message: a 4-byte big-endian length, then that many bytes; null at end of file.
    static byte[] ReadMessage(Stream stream)
    {
        byte[] header = ReadExactly(stream, 4);
        if (header == null) return null;
        int length = header[0] << 24 | header[1] << 16 | header[2] << 8 | header[3];
        byte[] body = ReadExactly(stream, length);
        if (body == null) throw new EndOfStreamException("a request ended early");
        return body;
    }

    static byte[] ReadExactly(Stream stream, int length)
    {
        var buffer = new byte[length];
        for (int done = 0; done < length;)
        {
            int n = stream.Read(buffer, done, length - done);
            if (n == 0 && done == 0) return null;
            if (n == 0) throw new EndOfStreamException("a request ended early");
            done += n;
        }
        return buffer;
    }

    // An answer on fd 3, written with write(2): Mono's FileStream takes only the descriptors it opened itself.
    static void Answer(string field)
    {
        byte[] body = Encoding.UTF8.GetBytes(field + "\0");
        var message = new byte[4 + body.Length];
        message[0] = (byte)(body.Length >> 24);
        message[1] = (byte)(body.Length >> 16);
        message[2] = (byte)(body.Length >> 8);
        message[3] = (byte)body.Length;
        body.CopyTo(message, 4);
        for (int done = 0; done < message.Length;)
        {
            long n = (long)write(AnswerDescriptor, message, done, (IntPtr)(message.Length - done));
            if (n < 0 && Marshal.GetLastWin32Error() == EINTR) continue;
            if (n <= 0) throw new IOException("cannot write the answer: errno " + Marshal.GetLastWin32Error());
            done += (int)n;
        }
    }

    const int EINTR = 4;

    static IntPtr write(int descriptor, byte[] buffer, int offset, IntPtr count)
    {
        unsafe
        {
            fixed (byte* start = buffer) return write(descriptor, start + offset, count);
        }
    }

    [DllImport("libc", SetLastError = true)]
    static extern unsafe IntPtr write(int descriptor, byte* buffer, IntPtr count);

    // NUL-terminated fields: cwd=DIR, then arg=ARGUMENT for each argument of the cold compile line.
    static bool Parse(byte[] request, out string cwd, out List<string> args)
    {
        cwd = null;
        args = new List<string>();
        string[] fields = Encoding.UTF8.GetString(request).Split('\0');
        if (fields.Length < 2 || fields[fields.Length - 1] != "" || !fields[0].StartsWith("cwd=")) return false;
        cwd = fields[0].Substring(4);
        for (int i = 1; i < fields.Length - 1; i++)
        {
            if (!fields[i].StartsWith("arg=")) return false;
            args.Add(fields[i].Substring(4));
        }
        return true;
    }
}
