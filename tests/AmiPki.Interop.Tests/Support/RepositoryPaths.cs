namespace AmiPki.Interop.Tests.Support;

/// <summary>Finds the repository and the built <c>amipki</c> next to this test assembly's configuration.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release, as this test assembly was built.</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        ? "Release"
        : "Debug";

    /// <summary>The amipki.dll built beside this test assembly (the Cli project is referenced, so it is copied here).</summary>
    public static string AmiPkiDll { get; } = Path.Combine(AppContext.BaseDirectory, "amipki.dll");

    public static string Profiles => Path.Combine(Root, "profiles");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AmiPki.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("cannot find the repository root (AmiPki.sln) above " + AppContext.BaseDirectory);
    }
}
