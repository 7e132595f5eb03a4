using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Approvals;
using AmiPki.Protocols.Tests.Est.Support;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Est;

/// <summary>/serverkeygen (RFC 7030 §4.4), /csrattrs, and manual approval (202 + Retry-After, then the same certificate every time).</summary>
public sealed class EstServerKeyGenAndApprovalTests
{
    private EstTestHost _host = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await EstTestHost.StartAsync();
        await _host.AddAccountAsync("hes-01", "hes-client", EstTestHost.ManualProfile);
        _client = _host.Client(account: "hes-01");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Test]
    public async Task Serverkeygen_returns_a_pkcs8_key_matching_its_certificate()
    {
        var (placeholder, csr) = TestPki.Csr("CN=keyless.example");
        using var placeholderKey = placeholder;
        using var response = await _client.PostAsync("/.well-known/est/serverkeygen", TestPki.Pkcs10(csr));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("multipart/mixed"));
        var parts = await new MultipartReaderHelper(response).ReadAsync();
        Assert.That(parts.Select(p => p.ContentType), Is.EqualTo(new[] { "application/pkcs8", "application/pkcs7-mime; smime-type=certs-only" }));
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(parts[0].Body), out _);
        var certificate = TestPki.CertsOnly(parts[1].Body).Single();
        Assert.That(certificate.Subject, Is.EqualTo("CN=keyless.example"));
        Assert.That(certificate.PublicKey.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo(), Is.EqualTo(key.ExportSubjectPublicKeyInfo()));
        Assert.That(certificate.PublicKey.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo(), Is.Not.EqualTo(placeholder.ExportSubjectPublicKeyInfo()));
    }

    [Test]
    public async Task Csrattrs_is_base64_der()
    {
        using var response = await _client.GetAsync("/.well-known/est/csrattrs");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/csrattrs"));
        var der = Convert.FromBase64String(await response.Content.ReadAsStringAsync());
        Assert.That(der[0], Is.EqualTo(0x30));
    }

    [Test]
    public async Task Manual_approval_answers_202_then_the_same_certificate_once_approved()
    {
        var (key, csr) = TestPki.Csr("CN=needs-approval.example");
        using var _ = key;
        var path = $"/.well-known/est/{EstTestHost.ManualProfile}/simpleenroll";
        using (var first = await _client.PostAsync(path, TestPki.Pkcs10(csr)))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(first.Headers.RetryAfter!.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
        }
        using (var again = await _client.PostAsync(path, TestPki.Pkcs10(csr)))
        {
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "still waiting");
        }
        var pending = (await _host.Pending.ListAsync(PendingRequestState.Pending, 100, CancellationToken.None)).Single(p => p.Subject == "CN=needs-approval.example");
        Assert.That(await _host.Pending.DecideAsync(pending.Id, approve: true, "test-admin", null, DateTimeOffset.UtcNow, CancellationToken.None), Is.True);
        string firstCertificate;
        using (var approved = await _client.PostAsync(path, TestPki.Pkcs10(csr)))
        {
            firstCertificate = await approved.Content.ReadAsStringAsync();
            Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK), firstCertificate);
        }
        using var repeated = await _client.PostAsync(path, TestPki.Pkcs10(csr));
        Assert.That(TestPki.CertsOnly(await repeated.Content.ReadAsStringAsync())[0].SerialNumber,
            Is.EqualTo(TestPki.CertsOnly(firstCertificate)[0].SerialNumber), "issued once");
    }

    [Test]
    public async Task Rejected_request_is_403_with_the_reason()
    {
        var (key, csr) = TestPki.Csr("CN=rejected.example");
        using var _ = key;
        var path = $"/.well-known/est/{EstTestHost.ManualProfile}/simpleenroll";
        using (var first = await _client.PostAsync(path, TestPki.Pkcs10(csr)))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }
        var pending = (await _host.Pending.ListAsync(PendingRequestState.Pending, 100, CancellationToken.None)).Single(p => p.Subject == "CN=rejected.example");
        await _host.Pending.DecideAsync(pending.Id, approve: false, "test-admin", "unknown head-end", DateTimeOffset.UtcNow, CancellationToken.None);
        using var response = await _client.PostAsync(path, TestPki.Pkcs10(csr));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("unknown head-end"));
    }

    /// <summary>Reads a multipart/mixed answer with ASP.NET Core's own MultipartReader.</summary>
    private sealed class MultipartReaderHelper(HttpResponseMessage response)
    {
        public async Task<List<(string ContentType, string Body)>> ReadAsync()
        {
            var boundary = response.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!.Trim('"');
            var reader = new Microsoft.AspNetCore.WebUtilities.MultipartReader(boundary, await response.Content.ReadAsStreamAsync());
            var parts = new List<(string, string)>();
            while (await reader.ReadNextSectionAsync() is { } section)
            {
                Assert.That(section.Headers!["Content-Transfer-Encoding"].ToString(), Is.EqualTo("base64"));
                parts.Add((section.ContentType!, await new StreamReader(section.Body).ReadToEndAsync()));
            }
            return parts;
        }
    }
}
