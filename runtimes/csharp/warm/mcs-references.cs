// mcs's Driver.Compile, step for step (Mono 6.12's IL), but with the referenced assemblies kept loaded between
// compiles. mcs reads its references with IKVM.Reflection into a Universe it makes for each compile: opening
// mscorlib, System, System.Xml, System.Core and Microsoft.CSharp and reading their metadata (type names, base
// types, signatures, resolved references) is most of a small compile. Here one Universe holds them: each compile
// still imports them afresh into its own compiler state (type specs, namespaces, members), as mcs does; only
// IKVM's reading of the files is kept. A compile uses the kept Universe only when mcs would load exactly those
// files the same way (see Reusable); otherwise it runs mcs's own Driver.Compile.
using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Mono.CSharp;
using Ikvm = IKVM.Reflection;

static class References
{
    const BindingFlags Any = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
    static readonly Assembly Mcs = typeof(CompilerContext).Assembly;
    static readonly Type Driver = McsType("Driver");
    static readonly Type StaticLoader = McsType("StaticLoader");
    static readonly Type TimerType = McsType("TimeReporter+TimerType");

    // What mcs's loader would load, in its order: mscorlib.dll, then GetDefaultReferences' files. Each is looked
    // for first in the current directory (AssemblyReferencesLoader's first path), then in the framework's.
    static readonly string[] Files = { "mscorlib.dll", "System.dll", "System.Xml.dll", "System.Core.dll", "Microsoft.CSharp.dll" };

    // The kept Universe, and what the loader that filled it ended with: its corlib, its loaded_names, and the
    // other assemblies in load order. Null until a compile fills it, and after a compile that could have changed
    // what it resolves.
    static Ikvm.Universe universe;
    static Ikvm.Assembly corlib;
    static IList loadedNames;
    static readonly List<Ikvm.Assembly> loaded = new List<Ikvm.Assembly>();
    // The names of the loaded assemblies and of every assembly they reference.
    static readonly HashSet<string> referenced = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    public static bool Compile(CompilerContext context)
    {
        object driver = Activator.CreateInstance(Driver, Any, null, new object[] { context }, null);
        if (!Reusable(context.Settings)) return (bool)Call(driver, "Compile");
        try
        {
            return CompileKeeping(driver, context);
        }
        catch
        {
            Forget();
            throw;
        }
    }

    // mcs would load the same five files from the framework directory the same way: the standard library and the
    // default references, nothing else (no -r, -lib, -addmodule, -nostdlib, -noconfig, -sdk), and none of the five
    // file names in the current directory, which mcs looks in first.
    static bool Reusable(CompilerSettings settings)
    {
        if (!settings.StdLib || !settings.LoadDefaultReferences || settings.SdkVersion != null) return false;
        if (settings.AssemblyReferences.Count > 0 || settings.AssemblyReferencesAliases.Count > 0) return false;
        if (settings.ReferencesLookupPaths.Count > 0 || settings.Modules.Count > 0) return false;
        string directory = Directory.GetCurrentDirectory();
        foreach (string file in Files)
            if (File.Exists(Path.Combine(directory, file))) return false;
        return true;
    }

    // Driver.Compile, with the loader's references taken from the kept Universe once it is filled.
    static bool CompileKeeping(object driver, CompilerContext context)
    {
        CompilerSettings settings = context.Settings;
        Report report = context.Report;
        if (settings.FirstSourceFile == null &&
            (settings.Target == Target.Exe || settings.Target == Target.WinExe || settings.Target == Target.Module || settings.Resources == null))
        {
            report.Error(2008, "No files to compile were specified");
            return false;
        }
        if (settings.Platform == Platform.AnyCPU32Preferred && (settings.Target == Target.Library || settings.Target == Target.Module))
        {
            report.Error(4023, "Platform option `anycpu32bitpreferred' is valid only for executables");
            return false;
        }
        object timer = Activator.CreateInstance(McsType("TimeReporter"), Any, null, new object[] { settings.Timestamps }, null);
        Set(context, "TimeReporter", timer);
        Call(timer, "StartTotal");
        var module = new ModuleContainer(context);
        RootContext.ToplevelTypes = module;
        Time(timer, "Start", 0);
        Call(driver, "Parse", module);
        Time(timer, "Stop", 0);
        if (report.Errors > 0) return false;
        if (settings.TokenizeOnly || settings.ParseOnly)
        {
            Call(timer, "StopTotal");
            Call(timer, "ShowStats");
            return true;
        }
        string outputFile = settings.OutputFile;
        string outputFileName;
        if (outputFile == null)
        {
            SourceFile source = settings.FirstSourceFile;
            if (source == null)
            {
                report.Error(1562, "If no source files are specified you must specify the output file with -out:");
                return false;
            }
            outputFileName = source.Name;
            int dot = outputFileName.LastIndexOf('.');
            if (dot > 0) outputFileName = outputFileName.Substring(0, dot);
            outputFileName += settings.TargetExt;
            outputFile = outputFileName;
        }
        else
        {
            outputFileName = Path.GetFileName(outputFile);
            if (string.IsNullOrEmpty(Path.GetFileNameWithoutExtension(outputFileName)) ||
                outputFileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            {
                report.Error(2021, "Output file name is not valid");
                return false;
            }
        }

        object importer = Activator.CreateInstance(McsType("StaticImporter"), Any, null, new object[] { module }, null);
        object loader = Activator.CreateInstance(StaticLoader, Any, null, new object[] { importer, context }, null);
        bool keeping = universe != null && !Resolved(outputFileName);
        if (keeping) Adopt(loader);
        var domain = (Ikvm.Universe)Get(loader, "domain");
        Time(timer, "Start", 1);
        object assembly = Activator.CreateInstance(
            McsType("AssemblyDefinitionStatic"), Any, null, new object[] { module, loader, outputFileName, outputFile }, null);
        Call(assembly, "Create", domain);
        Time(timer, "Stop", 1);
        Time(timer, "Start", 2);
        module.CreateContainer();
        Call(importer, "AddCompiledAssembly", assembly);
        Set(loader, "CompiledAssembly", assembly);
        Time(timer, "Stop", 2);
        var builder = (Ikvm.Emit.AssemblyBuilder)Get(assembly, "Builder");
        bool filling = false;
        try
        {
            if (keeping)
            {
                LoadKept(loader, importer, module, context, timer);
            }
            else
            {
                int errors = report.Errors, warnings = report.Warnings;
                Call(loader, "LoadReferences", module);
                // Kept only when loading said nothing (and universe == null: a compile that could not use the
                // kept one leaves it as it is).
                filling = universe == null && report.Errors == errors && report.Warnings == warnings;
            }
            Time(timer, "Start", 5);
            if (!context.BuiltinTypes.CheckDefinitions(module)) return false;
            Time(timer, "Stop", 5);
            Call(loader, "LoadModules", assembly, module.GlobalRootNamespace);
            module.InitializePredefinedTypes();
            if (settings.GetResourceStrings != null) module.LoadGetResourceStrings(settings.GetResourceStrings);
            Time(timer, "Start", 6);
            module.Define();
            Time(timer, "Stop", 6);
            if (report.Errors > 0) return false;
            if (settings.DocumentationFile != null)
                Call(Activator.CreateInstance(McsType("DocumentationBuilder"), Any, null, new object[] { module }, null),
                    "OutputDocComment", outputFile, settings.DocumentationFile);
            Call(assembly, "Resolve");
            if (report.Errors > 0) return false;
            Time(timer, "Start", 7);
            Call(assembly, "Emit");
            Time(timer, "Stop", 7);
            if (report.Errors > 0) return false;
            Time(timer, "Start", 8);
            module.CloseContainer();
            Time(timer, "Stop", 8);
            Time(timer, "Start", 9);
            if (!settings.WriteMetadataOnly) Call(assembly, "EmbedResources");
            Time(timer, "Stop", 9);
            if (report.Errors > 0) return false;
            Call(assembly, "Save");
            // mcs disposes its Universe here (and only here); the kept one stays open.
            if (!keeping && !filling) Call(loader, "Dispose");
            Call(timer, "StopTotal");
            Call(timer, "ShowStats");
            return report.Errors == 0;
        }
        finally
        {
            if (filling) Fill(loader);
            if (keeping || filling) Release(domain, builder, loader);
        }
    }

    // The loader's LoadReferences, from the kept Universe: what LoadReferencesCore would have found (the same
    // files, already read), then the import, as StaticLoader.LoadReferences does it.
    static void LoadKept(object loader, object importer, ModuleContainer module, CompilerContext context, object timer)
    {
        Time(timer, "Start", 3);
        Set(loader, "corlib", corlib);
        var names = (IList)Get(loader, "loaded_names");
        foreach (object name in loadedNames) names.Add(name);
        Time(timer, "Stop", 3);
        Time(timer, "Start", 4);
        Call(importer, "InitializeBuiltinTypes", context.BuiltinTypes, corlib);
        Call(importer, "ImportAssembly", corlib, module.GlobalRootNamespace);
        foreach (Ikvm.Assembly assembly in loaded) Call(importer, "ImportAssembly", assembly, module.GlobalRootNamespace);
        Time(timer, "Stop", 4);
    }

    // The loader works on the kept Universe: its own (new, empty) one is dropped, and the Universe's assembly
    // resolver is this loader's, as it is for a new Universe.
    static void Adopt(object loader)
    {
        Set(loader, "domain", universe);
        var resolvers = (IList)Get(universe, "resolvers");
        resolvers.Clear();
        Type handler = typeof(Ikvm.ResolveEventHandler);
        resolvers.Add(System.Delegate.CreateDelegate(handler, loader, "AssemblyReferenceResolver"));
    }

    static void Fill(object loader)
    {
        universe = (Ikvm.Universe)Get(loader, "domain");
        corlib = (Ikvm.Assembly)Get(loader, "corlib");
        loadedNames = new ArrayList((ICollection)Get(loader, "loaded_names"));
        loaded.Clear();
        foreach (object name in loadedNames)
        {
            var assembly = (Ikvm.Assembly)name.GetType().GetProperty("Item3").GetValue(name, null);
            if (assembly != corlib) loaded.Add(assembly);
        }
        if (corlib == null || corlib.__IsMissing || loaded.Count != Files.Length - 1)
        {
            Forget();
            return;
        }
        referenced.Clear();
        foreach (Ikvm.Assembly assembly in loaded.Concat(new[] { corlib }))
        {
            referenced.Add(SimpleName(assembly.FullName));
            foreach (Ikvm.AssemblyName name in assembly.GetReferencedAssemblies()) referenced.Add(name.Name);
        }
    }

    // What this compile added to the kept Universe goes: its assembly, and anything made of its types. The
    // Universe is not kept when the compile's own assembly could have answered a resolution (a referenced
    // assembly of the same name), or the loader saw a version mismatch (which it reports from its own state).
    static void Release(Ikvm.Universe domain, Ikvm.Emit.AssemblyBuilder builder, object loader)
    {
        if (domain != universe) return;
        var dynamicAssemblies = (IList)Get(universe, "dynamicAssemblies");
        dynamicAssemblies.Remove(builder);
        var mismatches = (ICollection)Get(loader, "resolved_version_mismatches");
        if (dynamicAssemblies.Count > 0 || (mismatches != null && mismatches.Count > 0))
        {
            Forget();
            return;
        }
        var byName = (IDictionary)Get(universe, "assembliesByName");
        foreach (Ikvm.Assembly assembly in byName.Values)
            if (assembly is Ikvm.Emit.AssemblyBuilder)
            {
                Forget();
                return;
            }
        var canonical = (IDictionary)Get(universe, "canonicalizedTypes");
        var made = new List<object>();
        foreach (Ikvm.Type type in canonical.Keys)
            if (Compiled(type)) made.Add(type);
        foreach (object type in made) canonical.Remove(type);
    }

    // A type that names one of a compiled assembly's types (itself, or as an element or type argument).
    static bool Compiled(Ikvm.Type type)
    {
        try
        {
            return MadeOfCompiled(type);
        }
        catch
        {
            return true;
        }
    }

    static bool MadeOfCompiled(Ikvm.Type type)
    {
        if (type.HasElementType) return MadeOfCompiled(type.GetElementType());
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            foreach (Ikvm.Type argument in type.GetGenericArguments())
                if (MadeOfCompiled(argument)) return true;
            return MadeOfCompiled(type.GetGenericTypeDefinition());
        }
        return !type.__IsMissing && type.Assembly is Ikvm.Emit.AssemblyBuilder;
    }

    // Whether a reference could resolve to this compile's own assembly: in a new Universe, a reference to an assembly
    // of its name that no loaded one answers goes to mcs's resolver, which may answer with the compile's assembly
    // (same name, other version). The kept Universe has answered such references already, or may again for
    // another compile; so a compile named as a loaded assembly, as any assembly they reference, or as any name the
    // kept Universe has resolved, compiles with a new one.
    static bool Resolved(string outputFileName)
    {
        string own = Path.GetFileNameWithoutExtension(outputFileName);
        if (referenced.Contains(own) || referenced.Contains(outputFileName)) return true;
        foreach (string name in ((IDictionary)Get(universe, "assembliesByName")).Keys)
        {
            string simple = SimpleName(name);
            if (string.Equals(simple, own, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(simple, outputFileName, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    static string SimpleName(string fullName)
    {
        int comma = fullName.IndexOf(',');
        return (comma < 0 ? fullName : fullName.Substring(0, comma)).Trim();
    }

    static void Forget()
    {
        universe = null;
        corlib = null;
        loadedNames = null;
        loaded.Clear();
        referenced.Clear();
    }

    static Type McsType(string name)
    {
        return Mcs.GetType("Mono.CSharp." + name, true);
    }

    static void Time(object timer, string method, int type)
    {
        Call(timer, method, System.Enum.ToObject(TimerType, type));
    }

    static object Call(object target, string name, params object[] args)
    {
        for (Type type = target.GetType(); type != null; type = type.BaseType)
            foreach (MethodInfo method in type.GetMethods(Any | BindingFlags.DeclaredOnly))
                if (method.Name == name && method.GetParameters().Length == args.Length) return Invoke(method, target, args);
        throw new MissingMethodException(target.GetType().FullName, name);
    }

    static object Invoke(MethodInfo method, object target, object[] args)
    {
        try
        {
            return method.Invoke(target, args);
        }
        catch (TargetInvocationException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    static object Get(object target, string name)
    {
        for (Type type = target.GetType(); type != null; type = type.BaseType)
        {
            FieldInfo field = type.GetField(name, Any | BindingFlags.DeclaredOnly);
            if (field != null) return field.GetValue(target);
            PropertyInfo property = type.GetProperty(name, Any | BindingFlags.DeclaredOnly);
            if (property != null) return property.GetValue(target, null);
        }
        throw new MissingMemberException(target.GetType().FullName, name);
    }

    static void Set(object target, string name, object value)
    {
        for (Type type = target.GetType(); type != null; type = type.BaseType)
        {
            FieldInfo field = type.GetField(name, Any | BindingFlags.DeclaredOnly);
            if (field != null)
            {
                field.SetValue(target, value);
                return;
            }
            PropertyInfo property = type.GetProperty(name, Any | BindingFlags.DeclaredOnly);
            if (property != null)
            {
                property.SetValue(target, value, null);
                return;
            }
        }
        throw new MissingMemberException(target.GetType().FullName, name);
    }
}
