using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AmiPki.Protocols.Tests.Est.Support;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Est;

/// <summary>
/// Every bad input gets its status and a one-line text/plain reason, issues nothing and leaves an audit entry; the
/// accepted variations of base64 (RFC 8951) are accepted.
/// </summary>
public sealed class EstBadInputTests
{
    private EstTestHost _host = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await EstTestHost.StartAsync();
        await _host.AddAccountAsync("hes-01", "hes-client");
        _client = _host.Client(account: "hes-01");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    private static IEnumerable<TestCaseData> BadRequests()
    {
        var (key, csr) = TestPki.Csr("CN=hes-01.example");
        key.Dispose();
        var base64 = Convert.ToBase64String(csr);
        yield return new TestCaseData("application/json", base64, HttpStatusCode.UnsupportedMediaType).SetName("wrong content type is 415");
        yield return new TestCaseData("application/pkcs10", new string('A', 70 * 1024), HttpStatusCode.RequestEntityTooLarge).SetName("body over 64 KiB is 413");
        yield return new TestCaseData("application/pkcs10", "this is *not* base64!", HttpStatusCode.BadRequest).SetName("undecodable base64 is 400");
        yield return new TestCaseData("application/pkcs10", Convert.ToBase64String(Encoding.ASCII.GetBytes("not DER at all")), HttpStatusCode.BadRequest)
            .SetName("undecodable DER is 400");
        var tampered = (byte[])csr.Clone();
        tampered[^3] ^= 0x55; // inside the signature
        yield return new TestCaseData("application/pkcs10", Convert.ToBase64String(tampered), HttpStatusCode.BadRequest).SetName("bad CSR signature is 400");
        using var rsa = RSA.Create(2048);
        var rsaCsr = new CertificateRequest("CN=hes-01.example", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest();
        yield return new TestCaseData("application/pkcs10", Convert.ToBase64String(rsaCsr), HttpStatusCode.BadRequest).SetName("key type the profile refuses is 400");
        using var noCn = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var noCnCsr = new CertificateRequest("O=Nobody", noCn, HashAlgorithmName.SHA256).CreateSigningRequest();
        yield return new TestCaseData("application/pkcs10", Convert.ToBase64String(noCnCsr), HttpStatusCode.BadRequest).SetName("subject without CN is 400");
    }

    [TestCaseSource(nameof(BadRequests))]
    public async Task Bad_input_is_refused_with_a_one_line_reason_and_audited(string mediaType, string body, HttpStatusCode expected)
    {
        var refusals = await _host.RefusalCountAsync();
        var issued = await IssuedCountAsync();
        using var response = await _client.PostAsync("/.well-known/est/simpleenroll", TestPki.Body(body, mediaType));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/plain"));
        Assert.That(text.TrimEnd('\n'), Does.Not.Contain('\n'), "one line");
        Assert.That(text.Trim(), Is.Not.Empty);
        Assert.That(await _host.RefusalCountAsync(), Is.EqualTo(refusals + 1));
        Assert.That(await IssuedCountAsync(), Is.EqualTo(issued), "nothing issued");
    }

    [Test]
    public async Task Unknown_label_is_404_and_audited()
    {
        var refusals = await _host.RefusalCountAsync();
        using var response = await _client.GetAsync("/.well-known/est/no-such-label/cacerts");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await _host.RefusalCountAsync(), Is.EqualTo(refusals + 1));
    }

    [Test]
    public async Task Profile_not_offered_over_EST_is_404()
    {
        using var response = await _client.GetAsync("/.well-known/est/amipki-tls-server/cacerts");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Chunked_body_over_64_KiB_is_413()
    {
        var content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes(new string('A', 100 * 1024))));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/pkcs10");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/.well-known/est/simpleenroll") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await _client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
    }

    [TestCase("unwrapped")]
    [TestCase("crlf")]
    [TestCase("pem")]
    [TestCase("transfer-encoding")]
    public async Task Base64_variants_are_accepted(string variant)
    {
        var (key, csr) = TestPki.Csr("CN=hes-01.example");
        using var _ = key;
        var base64 = Convert.ToBase64String(csr);
        var body = variant switch
        {
            "unwrapped" => base64,
            "crlf" => TestPki.Wrap(base64).Replace("\n", "\r\n", StringComparison.Ordinal),
            "pem" => PemEncoding.WriteString("CERTIFICATE REQUEST", csr),
            _ => TestPki.Wrap(base64),
        };
        var content = TestPki.Body(body);
        if (variant == "transfer-encoding")
        {
            content.Headers.Add("Content-Transfer-Encoding", "base64");
        }
        using var response = await _client.PostAsync("/.well-known/est/simpleenroll", content);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private async Task<int> IssuedCountAsync() =>
        (await _host.Storage.Certificates.ListAsync(new Core.Storage.CertificateQuery(Limit: 100_000), CancellationToken.None)).Count;
}
