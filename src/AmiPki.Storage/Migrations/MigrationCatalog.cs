using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace AmiPki.Storage.Migrations;

/// <summary>
/// The migration scripts embedded in this assembly for one SQL dialect (<c>Migrations/&lt;Dialect&gt;/NNNN_name.sql</c>),
/// in version order. Each dialect keeps its own folder with the same version numbers, so a database of either kind is
/// described by one number.
/// </summary>
public static partial class MigrationCatalog
{
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";

    public static IReadOnlyList<MigrationScript> Load(string dialect)
    {
        var assembly = typeof(MigrationCatalog).Assembly;
        var prefix = $"{assembly.GetName().Name}.Migrations.{dialect}.";
        var scripts = new List<MigrationScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            var match = ScriptName().Match(resource[prefix.Length..]);
            if (!match.Success)
            {
                throw new InvalidOperationException($"migration resource '{resource}' is not named NNNN_name.sql");
            }
            scripts.Add(new MigrationScript(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, Read(assembly, resource)));
        }
        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < scripts.Count; i++)
        {
            // A gap or a duplicate means a script was lost or misnamed; applying the rest would build a wrong schema.
            if (scripts[i].Version != i + 1)
            {
                throw new InvalidOperationException($"{dialect} migrations must be numbered 1, 2, 3, ...: found version {scripts[i].Version} at position {i + 1}");
            }
        }
        return scripts;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"migration resource '{resource}' cannot be read");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^(\d{4})_([A-Za-z0-9_]+)\.sql$")]
    private static partial Regex ScriptName();
}
