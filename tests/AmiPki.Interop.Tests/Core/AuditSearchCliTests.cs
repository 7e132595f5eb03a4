using System.Text.Json;
using AmiPki.Interop.Tests.Api;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Core;

/// <summary>
/// <c>amipki audit search</c> as an operator runs it: a certificate issued with <c>amipki issue</c> and revoked with
/// <c>amipki revoke</c> is found by serial (both events, newest first), by kind, not by a future --since, and bad input
/// is refused in one line naming the option.
/// </summary>
public sealed class AuditSearchCliTests
{
    [Test]
    public async Task Search_finds_issuance_and_revocation_by_serial_and_filters_by_kind_and_time()
    {
        using var data = await DataDirectory.InitAsync();
        using var certificate = await ApiClients.IssueAsync(data.Path, "hes-client", "cli-audit-search");
        using var other = await ApiClients.IssueAsync(data.Path, "hes-client", "cli-audit-other");
        var serial = certificate.SerialNumber;
        var revoked = await data.CliAsync("revoke", serial, "--reason", "key-compromise");
        Assert.That(revoked.ExitCode, Is.EqualTo(0), revoked.Describe());

        // By serial, in lower case: the issuance and the revocation, the revocation (newer) first; not the other certificate.
        var bySerial = await data.CliAsync("audit", "search", "--serial", serial.ToLowerInvariant());
        Assert.That(bySerial.ExitCode, Is.EqualTo(0), bySerial.Describe());
        var lines = EntryLines(bySerial.StandardOutput);
        Assert.That(lines, Has.Count.EqualTo(2), bySerial.StandardOutput);
        Assert.That(lines[0], Does.Contain(" revocation ").And.Contain($"serial={serial}"), bySerial.StandardOutput);
        Assert.That(lines[1], Does.Contain(" issuance ").And.Contain($"serial={serial}").And.Contain(" success "), bySerial.StandardOutput);
        Assert.That(bySerial.StandardOutput, Does.Not.Contain(other.SerialNumber));
        Assert.That(bySerial.StandardOutput, Does.Contain("2 entries (newest first)"));

        var byKind = await data.CliAsync("audit", "search", "--serial", serial, "--kind", "revocation");
        Assert.That(byKind.ExitCode, Is.EqualTo(0), byKind.Describe());
        lines = EntryLines(byKind.StandardOutput);
        Assert.That(lines, Has.Count.EqualTo(1), byKind.StandardOutput);
        Assert.That(lines[0], Does.Contain(" revocation ").And.Contain("keyCompromise").IgnoreCase, byKind.StandardOutput);

        // JSON: the same entries as GET /api/v1/audit shows them, newest first.
        var json = await data.CliAsync("audit", "search", "--serial", serial, "--json");
        Assert.That(json.ExitCode, Is.EqualTo(0), json.Describe());
        using (var document = JsonDocument.Parse(json.StandardOutput))
        {
            Assert.That(document.RootElement.GetProperty("order").GetString(), Is.EqualTo("newest-first"));
            var kinds = document.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()).ToList();
            Assert.That(kinds, Is.EqualTo(new[] { "revocation", "issuance" }), json.StandardOutput);
        }

        // --limit bounds the answer and says more match.
        var limited = await data.CliAsync("audit", "search", "--kind", "issuance", "--limit", "1");
        Assert.That(limited.ExitCode, Is.EqualTo(0), limited.Describe());
        Assert.That(EntryLines(limited.StandardOutput), Has.Count.EqualTo(1), limited.StandardOutput);
        Assert.That(limited.StandardOutput, Does.Contain("more match"), limited.StandardOutput);

        var future = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var none = await data.CliAsync("audit", "search", "--serial", serial, "--since", future);
        Assert.That(none.ExitCode, Is.EqualTo(0), none.Describe());
        Assert.That(EntryLines(none.StandardOutput), Is.Empty, none.StandardOutput);
        Assert.That(none.StandardOutput, Does.Contain("0 entries"));
    }

    [Test]
    public async Task Bad_input_is_refused_in_one_line_naming_the_option()
    {
        using var data = await DataDirectory.InitAsync();

        var badSince = await data.CliAsync("audit", "search", "--since", "yesterday-ish");
        Assert.That(badSince.ExitCode, Is.Not.EqualTo(0), badSince.Describe());
        Assert.That(badSince.StandardError, Does.Contain("--since"), badSince.Describe());
        Assert.That(badSince.StandardError.Trim().Split('\n'), Has.Length.EqualTo(1), badSince.Describe());
        Assert.That(badSince.StandardError, Does.Not.Contain("yesterday-ish"));

        foreach (var limit in new[] { "0", "1001", "-5" })
        {
            var badLimit = await data.CliAsync("audit", "search", "--limit", limit);
            Assert.That(badLimit.ExitCode, Is.Not.EqualTo(0), badLimit.Describe());
            Assert.That(badLimit.StandardError, Does.Contain("--limit"), badLimit.Describe());
            Assert.That(badLimit.StandardError.Trim().Split('\n'), Has.Length.EqualTo(1), badLimit.Describe());
        }

        var backwards = await data.CliAsync("audit", "search", "--since", "2030-01-02T00:00:00Z", "--until", "2030-01-01T00:00:00Z");
        Assert.That(backwards.ExitCode, Is.Not.EqualTo(0), backwards.Describe());
        Assert.That(backwards.StandardError, Does.Contain("--until"), backwards.Describe());

        var badSerial = await data.CliAsync("audit", "search", "--serial", "not-hex");
        Assert.That(badSerial.ExitCode, Is.Not.EqualTo(0), badSerial.Describe());
        Assert.That(badSerial.StandardError, Does.Contain("--serial"), badSerial.Describe());
    }

    /// <summary>Output lines that are entries: not the header, not the count line.</summary>
    private static List<string> EntryLines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith("TIME ", StringComparison.Ordinal) && !line.Contains(" entr", StringComparison.Ordinal))
            .ToList();
}
