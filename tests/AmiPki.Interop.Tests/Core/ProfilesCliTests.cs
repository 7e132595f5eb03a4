using System.Text.Json.Nodes;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Core;

/// <summary>
/// <c>amipki profiles show|list|matrix</c> over the shipped profiles (a real process; no data directory is needed), and
/// the README's "Who may get which certificate" table regenerated and compared, so it cannot drift from the profiles.
/// </summary>
public sealed class ProfilesCliTests
{
    private const string MatrixBegin = "<!-- profiles-matrix:begin";
    private const string MatrixEnd = "<!-- profiles-matrix:end -->";

    // The profile commands never open it; the CLI helper passes --data anyway.
    private static readonly string UnusedData = Path.Combine(Path.GetTempPath(), "amipki-profiles-unused");

    private static Task<ProcessResult> CliAsync(params string[] arguments) => AmiPkiServer.RunCliAsync(UnusedData, arguments);

    [Test]
    public async Task The_HES_server_profile_is_not_obtainable_with_a_factory_certificate()
    {
        var shown = await CliAsync("profiles", "show", "hes-server");
        Assert.That(shown.ExitCode, Is.EqualTo(0), shown.Describe());
        Assert.That(shown.StandardOutput, Does.Contain("profile:         hes-server"));
        Assert.That(shown.StandardOutput, Does.Contain("not obtainable with a factory certificate (no factoryCertificate rule)"));
        Assert.That(shown.StandardOutput, Does.Not.Contain("factoryCertificate:"), "no rule row admits a factory certificate");
        Assert.That(shown.StandardOutput, Does.Contain("default deny"));
        var est = Section(shown.StandardOutput, "est");
        Assert.That(est, Does.Contain("credential: credential bound to this profile"));
        Assert.That(est, Does.Contain("renewal: holder of a current certificate, same subject and SAN; the renewed certificate stays valid"));
        Assert.That(Section(shown.StandardOutput, "cli"), Does.Contain("renewal: no renewal over cli (no currentCertificate rule)"));
    }

    [Test]
    public async Task The_meter_TLS_profile_admits_a_registered_meters_factory_certificate_bound_to_its_system_title_over_EST_coaps()
    {
        var shown = await CliAsync("profiles", "show", "meter-s1-tls");
        Assert.That(shown.ExitCode, Is.EqualTo(0), shown.Describe());
        Assert.That(shown.StandardOutput, Does.Contain("issuers:         issuing-s1"));
        Assert.That(shown.StandardOutput, Does.Contain("key algorithms:  ecP256"));
        Assert.That(shown.StandardOutput, Does.Contain("subject:         dlmsSystemTitle"));
        var coaps = Section(shown.StandardOutput, "est-coaps");
        Assert.That(coaps, Does.Match(@"factoryCertificate: factory certificate of a registered meter\s+systemTitle: CN = registered system title"));
        Assert.That(coaps, Does.Match(@"currentCertificate: holder of a current certificate of this profile\s+renewed: same subject and SAN"));
        Assert.That(coaps, Does.Contain("the renewed certificate is revoked as superseded"));
        Assert.That(Section(shown.StandardOutput, "cmp"), Does.Not.Contain("factoryCertificate"), "over CMP a meter needs a credential");

        var json = await CliAsync("profiles", "show", "meter-s1-tls", "--json");
        Assert.That(json.ExitCode, Is.EqualTo(0), json.Describe());
        var view = JsonNode.Parse(json.StandardOutput)!;
        var rule = view["protocols"]!.AsArray().Single(p => (string?)p!["protocol"] == "est-coaps")!["rules"]!.AsArray()
            .Single(r => (string?)r!["requester"] == "factoryCertificate")!;
        Assert.That((string?)rule["subject"], Is.EqualTo("systemTitle"));
        Assert.That((bool?)rule["registeredDevice"], Is.True);
        Assert.That(rule["deviceKinds"]!.AsArray().Select(k => (string?)k), Is.EqualTo(new[] { "meter" }));
    }

    [Test]
    public async Task An_unknown_profile_fails_with_one_line_listing_the_known_names()
    {
        var shown = await CliAsync("profiles", "show", "meter-s9");
        Assert.That(shown.ExitCode, Is.Not.EqualTo(0), shown.Describe());
        Assert.That(shown.StandardOutput, Is.Empty);
        var error = shown.StandardError.TrimEnd();
        Assert.That(error.Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(error, Does.Contain("no profile named 'meter-s9' (known: admin-administrator, admin-auditor"));
        Assert.That(error, Does.Contain("hes-server").And.Contain("meter-s1-tls").And.Contain("scep-ra)"));
    }

    [Test]
    public async Task The_list_names_every_shipped_profile()
    {
        var listed = await CliAsync("profiles", "list");
        Assert.That(listed.ExitCode, Is.EqualTo(0), listed.Describe());
        var shipped = Directory.GetFiles(RepositoryPaths.Profiles, "*.json").Length;
        Assert.That(listed.StandardOutput, Does.Contain($"{shipped} profile(s)"));
        Assert.That(listed.StandardOutput, Does.Contain("network-device").And.Contain("scep,cli"));
    }

    [Test]
    public async Task The_README_matrix_is_the_one_the_shipped_profiles_give()
    {
        var matrix = await CliAsync("profiles", "matrix");
        Assert.That(matrix.ExitCode, Is.EqualTo(0), matrix.Describe());
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "README.md"));
        var begin = readme.IndexOf(MatrixBegin, StringComparison.Ordinal);
        var end = readme.IndexOf(MatrixEnd, StringComparison.Ordinal);
        Assert.That(begin, Is.GreaterThanOrEqualTo(0), "README.md has the generated matrix section");
        Assert.That(end, Is.GreaterThan(begin));
        var start = readme.IndexOf('\n', begin) + 1;
        Assert.That(readme[start..end].ReplaceLineEndings("\n"), Is.EqualTo(matrix.StandardOutput.ReplaceLineEndings("\n")),
            "README.md's \"Who may get which certificate\" table differs from the shipped profiles: replace it with the output of `amipki profiles matrix`");
    }

    /// <summary>The lines of one protocol's table, from "over PROTOCOL:" to the blank line after it.</summary>
    private static string Section(string output, string protocol)
    {
        var lines = output.ReplaceLineEndings("\n").Split('\n');
        var at = Array.IndexOf(lines, $"over {protocol}:");
        Assert.That(at, Is.GreaterThanOrEqualTo(0), $"a table for {protocol}:\n{output}");
        return string.Join("\n", lines.Skip(at + 1).TakeWhile(l => l.Length > 0));
    }
}
