using System.Security.Cryptography;
using System.Text;
using AmiPki.Core.Campaigns;
using AmiPki.Interop.Tests.Support;
using AmiPki.Server.Jobs;

namespace AmiPki.Interop.Tests.Jobs;

/// <summary>
/// Webhook calls signed with the configured secret: the head-end recomputes the HMAC over "t.body" and compares, and
/// checks the time; without a secret nothing is signed.
/// </summary>
public sealed class WebhookSignatureTests
{
    [Test]
    public async Task A_configured_secret_signs_each_call_over_its_time_and_body()
    {
        await using var bed = await CampaignTestBed.CreateAsync();
        using var receiver = new WebhookReceiver();
        var options = new CampaignOptions { Jitter = 0, WebhookUrl = receiver.Url, WebhookSecret = "head-end-shared-secret-for-tests" };
        using var notifier = new WebhookCampaignNotifier(options, TimeSpan.FromSeconds(10), bed.Clock);
        var engine = bed.Engine(options, notifier);
        await bed.AddMeterCertificateAsync("4D4D4D0000000042", "dcu-01", bed.Clock.GetUtcNow().AddDays(20));

        var run = await engine.RunAsync(CancellationToken.None);

        Assert.That(run.Notified, Is.EqualTo(1));
        var call = receiver.Calls.Single();
        Assert.That(call.Signature, Is.Not.Null, "the call carries X-AmiPki-Signature");
        var parts = call.Signature!.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.That(parts.Keys, Is.EquivalentTo(new[] { "t", "v1" }));
        Assert.That(long.Parse(parts["t"], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(bed.Clock.GetUtcNow().ToUnixTimeSeconds()),
            "the signed time is the server's clock at the call");
        Assert.That(parts["v1"], Is.EqualTo(Expected("head-end-shared-secret-for-tests", parts["t"], call.Body)), "HMAC over t.body with the secret");
        // What a head-end without .NET does: recompute the MAC with openssl over the same bytes.
        var openssl = await ExternalProcess.RunAsync("openssl", ["dgst", "-sha256", "-hmac", "head-end-shared-secret-for-tests", "-r"],
            Encoding.UTF8.GetBytes(parts["t"] + "." + call.Body));
        Assert.That(openssl.ExitCode, Is.Zero, openssl.Describe());
        Assert.That(openssl.StandardOutput.Split(' ')[0], Is.EqualTo(parts["v1"]), "openssl dgst -hmac computes the same signature");
        Assert.That(parts["v1"], Is.Not.EqualTo(Expected("another-secret", parts["t"], call.Body)), "another secret does not verify");
        Assert.That(parts["v1"], Is.Not.EqualTo(Expected("head-end-shared-secret-for-tests", parts["t"], call.Body.Replace("renewal-due", "renewal-dux", StringComparison.Ordinal))),
            "a changed body does not verify");
    }

    [Test]
    public async Task Without_a_secret_calls_are_not_signed()
    {
        await using var bed = await CampaignTestBed.CreateAsync();
        using var receiver = new WebhookReceiver();
        var options = new CampaignOptions { Jitter = 0 };
        using var notifier = CampaignTestBed.Webhook(options, receiver.Url);
        var engine = bed.Engine(options, notifier);
        await bed.AddMeterCertificateAsync("4D4D4D0000000043", "dcu-01", bed.Clock.GetUtcNow().AddDays(20));

        await engine.RunAsync(CancellationToken.None);

        Assert.That(receiver.Calls.Single().Signature, Is.Null);
    }

    private static string Expected(string secret, string time, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(time + "." + body)));
}
