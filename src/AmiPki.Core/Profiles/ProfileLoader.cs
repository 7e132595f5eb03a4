using System.Text.Json.Serialization;
using System.Text.Json;

namespace AmiPki.Core.Profiles;

/// <summary>Loads and validates every <c>*.json</c> profile in a directory; the first invalid one stops start-up.</summary>
public static class ProfileLoader
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = false,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        // A misspelt field would otherwise be ignored silently and the default used.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    private static readonly CertificateProfileValidator Validator = new();

    public static ProfileSet LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new ProfileLoadException(directory, "(directory)", "the profiles directory does not exist");
        }
        var profiles = Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal).Select(LoadFile).ToList();
        var duplicate = profiles.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ProfileLoadException(duplicate.Last().SourceFile, "name", $"profile name '{duplicate.Key}' is used by {duplicate.First().SourceFile} too");
        }
        return new ProfileSet(profiles);
    }

    public static CertificateProfile LoadFile(string path) => Parse(File.ReadAllText(path), path);

    public static CertificateProfile Parse(string json, string sourceName)
    {
        CertificateProfile? profile;
        try
        {
            RefuseLegacyProtocols(json, sourceName);
            profile = JsonSerializer.Deserialize<CertificateProfile>(json, Options);
        }
        catch (JsonException e)
        {
            throw new ProfileLoadException(sourceName, FieldOf(e), FirstSentence(e.Message));
        }
        if (profile is null)
        {
            throw new ProfileLoadException(sourceName, "(file)", "empty profile");
        }
        profile = profile with { SourceFile = sourceName };
        var result = Validator.Validate(profile);
        if (!result.IsValid)
        {
            var error = result.Errors[0];
            throw new ProfileLoadException(sourceName, CamelCase(error.PropertyName), error.ErrorMessage);
        }
        return profile;
    }

    /// <summary>
    /// The first wave's <c>protocols</c> list meant "anyone over these protocols"; read today it would be ignored or
    /// worse, so a file that still has it is refused with the way forward.
    /// </summary>
    private static void RefuseLegacyProtocols(string json, string sourceName)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("protocols", out _))
        {
            throw new ProfileLoadException(sourceName, "protocols",
                "'protocols' was replaced by 'authorization' rules (default deny): declare which requester may enroll over which protocol");
        }
    }

    private static string FieldOf(JsonException e)
    {
        if (e.Path is { Length: > 2 } path && path != "$")
        {
            return path.TrimStart('$', '.');
        }
        // Missing required members are reported in the message, not in Path.
        var marker = "missing required properties including: ";
        var at = e.Message.IndexOf(marker, StringComparison.Ordinal);
        return at >= 0 ? e.Message[(at + marker.Length)..].Trim('.', '\'', ' ') : "(file)";
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }

    /// <summary>A validator's property path (<c>Authorization[0].Subject</c>) as the file spells it (<c>authorization[0].subject</c>).</summary>
    private static string CamelCase(string propertyName) =>
        string.IsNullOrEmpty(propertyName) ? "(profile)"
            : string.Join(".", propertyName.Split('.').Select(part => part.Length == 0 ? part : char.ToLowerInvariant(part[0]) + part[1..]));
}
