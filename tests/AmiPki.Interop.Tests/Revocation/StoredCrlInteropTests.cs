using System.Globalization;
using System.Text.RegularExpressions;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Revocation;

/// <summary>
/// Published CRLs live in storage (migration 0009, published_crls) and the CRL endpoint serves the newest stored one: a CRL
/// the CLI publishes (a separate process) is what a running <c>amipki serve</c> hands out over HTTP on the next request,
/// checked with openssl.
/// </summary>
public sealed partial class StoredCrlInteropTests
{
    [Test]
    public async Task A_crl_published_by_the_CLI_is_served_over_HTTP_by_the_running_server_at_once()
    {
        await using var server = await AmiPkiServer.StartAsync();
        var work = Directory.CreateTempSubdirectory("amipki-storedcrl-");
        try
        {
            using var http = new HttpClient();
            var before = await FetchNumberAsync(http, server, work, "issuing-s1.crl");

            var publish = await server.CliAsync("crl", "publish", "--ca", "issuing-s1");
            Assert.That(publish.ExitCode, Is.EqualTo(0), publish.Describe());
            var published = long.Parse(PublishedLine().Match(publish.StandardOutput).Groups["number"].Value, CultureInfo.InvariantCulture);
            Assert.That(published, Is.GreaterThan(before), publish.StandardOutput);

            Assert.That(await FetchNumberAsync(http, server, work, "issuing-s1.crl"), Is.EqualTo(published),
                "the server serves the CLI's CRL, not the one it built itself");
            // The CLI published a new delta on that complete CRL as its base; it is numbered after it from the shared sequence.
            Assert.That(await FetchNumberAsync(http, server, work, "issuing-s1-delta.crl"), Is.GreaterThan(published));

            var job = await server.CliAsync("jobs", "run", "crl-publication");
            Assert.That(job.ExitCode, Is.EqualTo(0), job.Describe());
            var jobNumber = long.Parse(JobCrl().Match(job.StandardOutput).Groups["number"].Value, CultureInfo.InvariantCulture);
            Assert.That(jobNumber, Is.GreaterThan(published), job.StandardOutput);
            Assert.That(await FetchNumberAsync(http, server, work, "issuing-s1.crl"), Is.EqualTo(jobNumber),
                "a crl-publication job run by the CLI is served too");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<long> FetchNumberAsync(HttpClient http, AmiPkiServer server, DirectoryInfo work, string file)
    {
        var path = Path.Combine(work.FullName, Guid.NewGuid().ToString("N") + ".crl");
        await File.WriteAllBytesAsync(path, await http.GetByteArrayAsync($"{server.HttpBase}/crl/{file}"));
        var result = await ExternalProcess.RunCheckedAsync("openssl", "crl", "-inform", "DER", "-in", path, "-noout", "-crlnumber");
        var hex = result.StandardOutput.Trim().Split('=')[1];
        return long.Parse(hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^issuing-s1: CRL #(?<number>\d+),", RegexOptions.Multiline)]
    private static partial Regex PublishedLine();

    [GeneratedRegex(@"issuing-s1 CRL #(?<number>\d+)")]
    private static partial Regex JobCrl();
}
