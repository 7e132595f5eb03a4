using System.Text.RegularExpressions;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Jobs;

/// <summary>
/// A real <c>amipki serve</c> process with job intervals set through the environment: Quartz fires the CRL publication
/// again and again on its interval, and <c>amipki jobs list</c> / <c>amipki campaigns list</c> read what was recorded.
/// </summary>
public sealed partial class JobsCliTests
{
    [Test]
    public async Task Jobs_run_on_their_configured_interval_and_the_CLI_lists_them()
    {
        var environment = new Dictionary<string, string>
        {
            ["AMIPKI_Jobs__CrlPublication"] = "00:00:01",
            ["AMIPKI_Jobs__RenewalCampaign"] = "00:00:01",
        };
        await using var server = await AmiPkiServer.StartAsync(environment: environment);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        ProcessResult list;
        while (true)
        {
            list = await server.CliAsync("jobs", "list");
            Assert.That(list.ExitCode, Is.EqualTo(0), list.Describe());
            var crl = CrlLine().Match(list.StandardOutput);
            if (crl.Success && int.Parse(crl.Groups["runs"].Value, System.Globalization.CultureInfo.InvariantCulture) >= 3)
            {
                Assert.That(crl.Groups["outcome"].Value, Is.EqualTo("success"), list.StandardOutput);
                break;
            }
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"crl-publication did not run 3 times within 60 s:\n{list.StandardOutput}\n{server.Log}");
            await Task.Delay(500);
        }
        Assert.That(list.StandardOutput, Does.Contain("7 job(s) recorded"), list.StandardOutput);
        Assert.That(list.StandardOutput, Does.Contain("issuing-s1 CRL #"));

        var campaigns = await server.CliAsync("campaigns", "list");
        Assert.That(campaigns.ExitCode, Is.EqualTo(0), campaigns.Describe());
        Assert.That(campaigns.StandardOutput, Does.Contain("0 DCU(s)"));
        var bad = await server.CliAsync("campaigns", "list", "--state", "sleeping");
        Assert.That(bad.ExitCode, Is.Not.EqualTo(0));
        Assert.That(bad.StandardError, Does.Contain("unknown state 'sleeping'"));
    }

    [GeneratedRegex(@"^crl-publication\s+\S+ \S+\s+(?<outcome>\S+)\s+(?<runs>\d+)\s", RegexOptions.Multiline)]
    private static partial Regex CrlLine();
}
