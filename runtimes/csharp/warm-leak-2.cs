// Run 2: prints exactly "clean" when nothing run 1 left is there and this program, not run 1's, is what ran.
using System;
using System.Collections.Generic;
using System.Linq;

class Program
{
    static bool leaked = false;

    static void Main()
    {
        var dirty = new List<string>();
        if (leaked) dirty.Add("static");
        if (Environment.GetEnvironmentVariable("WARM_LEAK") != null) dirty.Add("environment");
        if (AppDomain.CurrentDomain.GetData("WarmLeak") != null) dirty.Add("app-domain data");
        bool on;
        if (AppContext.TryGetSwitch("Warm.Leak", out on)) dirty.Add("switch");
        if (System.Globalization.CultureInfo.DefaultThreadCurrentCulture != null) dirty.Add("culture");
        if (AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "System.Xml")) dirty.Add("assembly");
        if (Environment.CurrentDirectory != "/workspace") dirty.Add("current directory");
        Console.WriteLine(dirty.Count == 0 ? "clean" : "leaked: " + string.Join(", ", dirty));
    }
}
