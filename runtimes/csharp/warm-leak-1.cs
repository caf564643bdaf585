// Run 1 of the warm leak test (docs/WARM.md): leaves behind what a warm process that outlived its run would keep
// (an environment variable, a static, app-domain data, a switch, a culture, a loaded assembly, the current
// directory) and prints "dirty": run 2 printing it would mean run 1's program ran again.
using System;
using System.Globalization;

class Program
{
    static bool leaked;

    static void Main()
    {
        leaked = true;
        Environment.SetEnvironmentVariable("WARM_LEAK", "1");
        AppDomain.CurrentDomain.SetData("WarmLeak", 1);
        AppContext.SetSwitch("Warm.Leak", true);
        CultureInfo.DefaultThreadCurrentCulture = new CultureInfo("fr-FR");
        AppDomain.CurrentDomain.Load("System.Xml, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089");
        Environment.CurrentDirectory = "/tmp";
        Console.WriteLine("dirty " + leaked);
    }
}
