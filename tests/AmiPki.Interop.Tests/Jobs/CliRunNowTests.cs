using System.Globalization;
using System.Text.RegularExpressions;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Jobs;

/// <summary>
/// <c>amipki crl publish</c> and <c>amipki jobs run</c> beside a real <c>amipki serve</c>: each raises the CRL number
/// (compared, with openssl, with the CRL the server serves over HTTP and with one the CLI writes afterwards), and unknown
/// CA or job names are refused with the valid ones listed.
/// </summary>
public sealed partial class CliRunNowTests
{
    [Test]
    public async Task Crl_publish_and_jobs_run_raise_the_CRL_number_and_refuse_unknown_names()
    {
        await using var server = await AmiPkiServer.StartAsync();
        var work = Directory.CreateTempSubdirectory("amipki-runnow-");
        try
        {
            using var http = new HttpClient();
            var servedPath = Path.Combine(work.FullName, "served.crl");
            await File.WriteAllBytesAsync(servedPath, await http.GetByteArrayAsync($"{server.HttpBase}/crl/issuing-s1.crl"));
            var served = await CrlNumberAsync(servedPath);

            var one = await server.CliAsync("crl", "publish", "--ca", "issuing-s1");
            Assert.That(one.ExitCode, Is.EqualTo(0), one.Describe());
            var published = Numbers(one.StandardOutput);
            Assert.That(published.Keys, Is.EquivalentTo(new[] { "issuing-s1" }), one.StandardOutput);
            Assert.That(published["issuing-s1"], Is.GreaterThan(served), one.StandardOutput);
            Assert.That(one.StandardOutput, Does.Match(@"issuing-s1: CRL #\d+, \d+ entries, nextUpdate \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ"));

            var all = await server.CliAsync("crl", "publish");
            Assert.That(all.ExitCode, Is.EqualTo(0), all.Describe());
            var allNumbers = Numbers(all.StandardOutput);
            Assert.That(allNumbers.Keys, Is.SupersetOf(new[] { "issuing-s1", "issuing-s2" }), all.StandardOutput);
            Assert.That(allNumbers["issuing-s1"], Is.GreaterThan(published["issuing-s1"]), all.StandardOutput);

            var job = await server.CliAsync("jobs", "run", "crl-publication");
            Assert.That(job.ExitCode, Is.EqualTo(0), job.Describe());
            Assert.That(job.StandardOutput, Does.StartWith("crl-publication: success"), job.StandardOutput);
            var jobNumber = long.Parse(JobCrl().Match(job.StandardOutput).Groups["number"].Value, CultureInfo.InvariantCulture);
            Assert.That(jobNumber, Is.GreaterThan(allNumbers["issuing-s1"]), job.StandardOutput);

            // The shared sequence moved on: the next CRL anyone builds is numbered after the job's.
            var afterPath = Path.Combine(work.FullName, "after.crl");
            var written = await server.CliAsync("crl", "--issuer", "issuing-s1", "--out", afterPath);
            Assert.That(written.ExitCode, Is.EqualTo(0), written.Describe());
            Assert.That(await CrlNumberAsync(afterPath), Is.GreaterThan(jobNumber));

            var list = await server.CliAsync("jobs", "list");
            Assert.That(list.StandardOutput, Does.Match(@"(?m)^crl-publication\s+\S+ \S+\s+success"), list.StandardOutput);

            var audit = await server.CliAsync("audit", "verify");
            Assert.That(audit.ExitCode, Is.EqualTo(0), audit.Describe());

            var unknownCa = await server.CliAsync("crl", "publish", "--ca", "no-such-ca");
            Assert.That(unknownCa.ExitCode, Is.Not.EqualTo(0), unknownCa.Describe());
            Assert.That(unknownCa.StandardError, Does.Contain("no online CA named 'no-such-ca'").And.Contain("issuing-s1").And.Contain("issuing-s2"));

            var unknownJob = await server.CliAsync("jobs", "run", "no-such-job");
            Assert.That(unknownJob.ExitCode, Is.Not.EqualTo(0), unknownJob.Describe());
            foreach (var name in new[] { "crl-publication", "ocsp-refresh", "operational-certificates", "ca-expiry-warning",
                         "certificate-housekeeping", "audit-checkpoint", "renewal-campaign" })
            {
                Assert.That(unknownJob.StandardError, Does.Contain(name), unknownJob.StandardError);
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static Dictionary<string, long> Numbers(string output) =>
        PublishedLine().Matches(output).ToDictionary(m => m.Groups["ca"].Value, m => long.Parse(m.Groups["number"].Value, CultureInfo.InvariantCulture));

    private static async Task<long> CrlNumberAsync(string path)
    {
        var result = await ExternalProcess.RunCheckedAsync("openssl", "crl", "-inform", "DER", "-in", path, "-noout", "-crlnumber");
        var hex = result.StandardOutput.Trim().Split('=')[1];
        return long.Parse(hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^(?<ca>\S+): CRL #(?<number>\d+),", RegexOptions.Multiline)]
    private static partial Regex PublishedLine();

    [GeneratedRegex(@"issuing-s1 CRL #(?<number>\d+)")]
    private static partial Regex JobCrl();
}
