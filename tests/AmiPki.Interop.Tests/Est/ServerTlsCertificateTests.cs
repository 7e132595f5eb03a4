using System.Net;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Server.Tls;
using AmiPki.Server;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiPki.Interop.Tests.Est;

/// <summary>AmiPki's own HTTPS certificate: issued by its CA at first start, kept 0600, reused, renewed inside the renewal window.</summary>
public sealed class ServerTlsCertificateTests
{
    /// <summary>The system clock moved by a settable offset, so a test can stand 70 days in the future.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }

    [Test]
    public async Task Issued_at_first_start_reused_after_and_renewed_in_the_window()
    {
        var data = Path.Combine(Path.GetTempPath(), "amipki-tls-" + Guid.NewGuid().ToString("N")[..10]);
        var clock = new ShiftedClock();
        var options = new AmiPkiOptions { DataDirectory = data, KeyPassphrase = "tls-test-only", ProfilesDirectory = Support.RepositoryPaths.Profiles };
        try
        {
            await using var runtime = await AmiPkiRuntime.CreateOrOpenAsync(options, clock, CancellationToken.None);
            await runtime.InitializeAsync("software", CancellationToken.None);
            var issuance = await runtime.LoadAuthoritiesAsync(CancellationToken.None);
            ServerTlsCertificate Open() => new(issuance, runtime.Layout.Tls, ["localhost"], [IPAddress.Loopback], clock, NullLogger.Instance);

            using var first = Open();
            await first.EnsureAsync(CancellationToken.None);
            var serial = first.Certificate.SerialNumber;
            Assert.That(first.Certificate.HasPrivateKey, Is.True);
            Assert.That(first.Certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateIPAddresses(), Does.Contain(IPAddress.Loopback));
            Assert.That(first.Certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages[0]!.Value, Is.EqualTo("1.3.6.1.5.5.7.3.1"));
            if (!OperatingSystem.IsWindows())
            {
                Assert.That(File.GetUnixFileMode(first.KeyPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            }
            Assert.That(await first.CheckAsync(), Is.False, "nothing due on day one");

            using var restarted = Open();
            await restarted.EnsureAsync(CancellationToken.None);
            Assert.That(restarted.Certificate.SerialNumber, Is.EqualTo(serial), "a restart reuses the stored certificate");

            clock.Offset = TimeSpan.FromDays(70); // 90-day certificate, 30-day renewal window
            Assert.That(await restarted.CheckAsync(), Is.True);
            Assert.That(restarted.Certificate.SerialNumber, Is.Not.EqualTo(serial));
            using var reloaded = X509Certificate2.CreateFromPemFile(restarted.CertificatePath, restarted.KeyPath);
            Assert.That(reloaded.SerialNumber, Is.EqualTo(restarted.Certificate.SerialNumber), "the renewed certificate is what the next start loads");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Test]
    public async Task A_damaged_certificate_file_is_replaced()
    {
        var data = Path.Combine(Path.GetTempPath(), "amipki-tls-" + Guid.NewGuid().ToString("N")[..10]);
        var options = new AmiPkiOptions { DataDirectory = data, KeyPassphrase = "tls-test-only", ProfilesDirectory = Support.RepositoryPaths.Profiles };
        try
        {
            await using var runtime = await AmiPkiRuntime.CreateOrOpenAsync(options, TimeProvider.System, CancellationToken.None);
            await runtime.InitializeAsync("software", CancellationToken.None);
            var issuance = await runtime.LoadAuthoritiesAsync(CancellationToken.None);
            using var first = new ServerTlsCertificate(issuance, runtime.Layout.Tls, ["localhost"], [IPAddress.Loopback], TimeProvider.System, NullLogger.Instance);
            await first.EnsureAsync(CancellationToken.None);
            await File.WriteAllTextAsync(first.CertificatePath, "garbage");
            using var second = new ServerTlsCertificate(issuance, runtime.Layout.Tls, ["localhost"], [IPAddress.Loopback], TimeProvider.System, NullLogger.Instance);
            await second.EnsureAsync(CancellationToken.None);
            Assert.That(second.Certificate.SerialNumber, Is.Not.EqualTo(first.Certificate.SerialNumber));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
