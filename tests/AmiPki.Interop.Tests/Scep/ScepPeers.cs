using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Scep;

/// <summary>
/// What the SCEP interop tests share: the peers they need (a missing one fails with the package to install), a running
/// <c>amipki serve</c> that accepts the single-DES requests micromdm's scepclient sends, one-time challenges made with
/// <c>amipki scep-challenge add</c>, and openssl verification against the chain.
/// </summary>
internal static class ScepPeers
{
    /// <summary>micromdm's scepclient encrypts its requests with DES-CBC whatever GetCACaps says; AmiPki refuses that unless told.</summary>
    public const string AcceptSingleDes = "AmiPki__Scep__AcceptSingleDesRequests";

    /// <summary>A PKCSReq without challenge waits for `amipki requests approve` (RFC 8894 §2.3 manual authentication).</summary>
    public const string HoldWithoutChallenge = "AmiPki__Scep__HoldRequestsWithoutChallenge";

    private static readonly (string Binary, string Package)[] Needed =
    [
        ("scepclient", "scep"),
        ("certmonger", "certmonger"),
        ("getcert", "certmonger"),
        ("dbus-run-session", "dbus (dbus-daemon)"),
        ("openssl", "openssl"),
    ];

    public static void RequireInstalled()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin"]).ToArray();
        var missing = Needed.Where(peer => !path.Any(directory => File.Exists(Path.Combine(directory, peer.Binary)))).ToList();
        if (missing.Count > 0)
        {
            Assert.Fail($"SCEP peers missing: {string.Join(", ", missing.Select(m => m.Binary))}: run `make test` (scripts/install-test-peers.sh) or "
                + $"`apt-get install {string.Join(' ', missing.Select(m => m.Package.Split(' ')[0]).Distinct())}`");
        }
    }

    public static async Task<AmiPkiServer> StartServerAsync()
    {
        // The server process inherits this process's environment; interop fixtures run one at a time (AssemblySetup).
        Environment.SetEnvironmentVariable(AcceptSingleDes, "true");
        Environment.SetEnvironmentVariable(HoldWithoutChallenge, "true");
        try
        {
            return await AmiPkiServer.StartAsync();
        }
        finally
        {
            Environment.SetEnvironmentVariable(AcceptSingleDes, null);
            Environment.SetEnvironmentVariable(HoldWithoutChallenge, null);
        }
    }

    public static async Task<string> AddChallengeAsync(AmiPkiServer server, string profile = "network-device")
    {
        var added = await server.CliAsync("scep-challenge", "add", "--profile", profile, "--expires-in", "1h");
        Assert.That(added.ExitCode, Is.EqualTo(0), added.Describe());
        var line = added.StandardOutput.Split('\n').Single(l => l.StartsWith("challenge (shown once): ", StringComparison.Ordinal));
        return line["challenge (shown once): ".Length..].Trim();
    }

    /// <summary>GetCACert, and the SHA-256 fingerprint of the RA certificate (scepclient's -ca-fingerprint picks the recipient).</summary>
    public static async Task<(X509Certificate2 Ra, string Fingerprint)> RaAsync(AmiPkiServer server)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var body = await http.GetByteArrayAsync($"{server.HttpBase}/scep?operation=GetCACert");
        var cms = new SignedCms();
        cms.Decode(body);
        var ra = cms.Certificates.Cast<X509Certificate2>().Single(c => c.GetRSAPublicKey() is not null);
        return (ra, Convert.ToHexStringLower(SHA256.HashData(ra.RawData)));
    }

    public static async Task<string> VerifyAsync(AmiPkiServer server, string certificatePem)
    {
        var verify = await ExternalProcess.RunAsync("openssl", ["verify", "-x509_strict", "-CAfile", server.ChainPemPath, "-purpose", "sslclient", certificatePem]);
        Assert.That(verify.ExitCode, Is.EqualTo(0), verify.Describe());
        var serial = await ExternalProcess.RunAsync("openssl", ["x509", "-in", certificatePem, "-noout", "-serial", "-subject"]);
        Assert.That(serial.ExitCode, Is.EqualTo(0), serial.Describe());
        return serial.StandardOutput;
    }

    /// <summary>
    /// Waits (bounded, by polling <c>amipki requests list</c>) until a SCEP request whose subject starts with <paramref name="subject"/> is held,
    /// then approves it with <c>amipki requests approve</c>.
    /// </summary>
    public static async Task ApproveWhenHeldAsync(AmiPkiServer server, string subject)
    {
        for (var attempt = 0; attempt < 90; attempt++)
        {
            var list = await server.CliAsync("requests", "list");
            Assert.That(list.ExitCode, Is.EqualTo(0), list.Describe());
            var line = list.StandardOutput.Split('\n').FirstOrDefault(l => l.Contains(" scep ", StringComparison.Ordinal) && l.Contains("subject " + subject, StringComparison.Ordinal));
            if (line is not null)
            {
                var approve = await server.CliAsync("requests", "approve", line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]);
                Assert.That(approve.ExitCode, Is.EqualTo(0), approve.Describe());
                return;
            }
            await Task.Delay(1000);
        }
        Assert.Fail($"no SCEP request for {subject} was held:\n{server.Log}");
    }

    public static string FreshDirectory(AmiPkiServer server, string name)
    {
        var directory = Path.Combine(server.DataDirectory, "peers", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        return directory;
    }
}
