using System.Collections.Concurrent;
using System.Text;
using AmiPki.Coap.Dtls;
using AmiPki.Coap.Messages;
using AmiPki.Coap.Server;
using AmiPki.Coap.Tests.Support;
using NUnit.Framework;

namespace AmiPki.Coap.Tests.Interop;

/// <summary>
/// CoapServer over DtlsServerTransport against the real peers: `openssl s_client -dtls1_2` (CCM_8 only) and
/// `coap-client-openssl` over coaps:// with a client certificate.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
[NonParallelizable]
public sealed class DtlsOpenSslInteropTests
{
    private TestCertificates _pki = null!;
    private DtlsServerTransport _transport = null!;
    private CoapServer _server = null!;
    private ConcurrentQueue<IReadOnlyList<byte[]>?> _seenChains = null!;
    private Func<IReadOnlyList<byte[]>, bool> _validator = null!;
    private ConcurrentQueue<string?> _ciphers = null!;

    [SetUp]
    public void SetUp()
    {
        _pki = new TestCertificates();
        _seenChains = new ConcurrentQueue<IReadOnlyList<byte[]>?>();
        _ciphers = new ConcurrentQueue<string?>();
        _validator = _pki.IsIssuedByTestCa;
    }

    private void StartServer(int? mtu = null)
    {
        _transport = new DtlsServerTransport(FreePort.LoopbackAny(), new DtlsServerOptions
        {
            Credentials = _pki.ServerCredentials,
            ClientCertificateValidator = chain => _validator(chain),
            Mtu = mtu ?? 1280,
        });
        _transport.SessionEstablished += (_, cipher) => _ciphers.Enqueue(cipher);
        _server = new CoapServer(_transport);
        _server.AddResource("/hello", (request, _) =>
        {
            _seenChains.Enqueue(request.PeerCertificateChain);
            return Task.FromResult(CoapResponse.Content(Encoding.UTF8.GetBytes($"hello {request.PeerCertificateChain?.Count}"), CoapContentFormat.TextPlain));
        }, new CoapResourceDescription { ResourceTypes = ["ace.est.crts"] });
        _server.AddResource("/upload", (request, _) => Task.FromResult(CoapResponse.Changed(
            Encoding.UTF8.GetBytes($"got {request.Payload.Length} bytes"), CoapContentFormat.TextPlain)));
        _server.AddResource("/big", (_, _) => Task.FromResult(CoapResponse.Content(new byte[5000], CoapContentFormat.OctetStream)));
        _server.Start();
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            await _transport.DisposeAsync();
        }

        _pki.Dispose();
    }

    private string[] SClientArguments(string cipher, bool withClientCertificate) =>
    [
        "s_client", "-dtls1_2", "-cipher", cipher, "-connect", $"127.0.0.1:{_transport.LocalEndPoint.Port}",
        "-CAfile", _pki.CaPemPath, "-verify_return_error",
        .. withClientCertificate ? new[] { "-cert", _pki.ClientCertPath, "-key", _pki.ClientKeyPath } : [],
    ];

    private static byte[] CoapGet(string path) =>
        new CoapMessage(CoapMessageType.Confirmable, CoapCode.Get, 0x1111, [1, 2],
            [CoapOption.FromString(CoapOptionNumber.UriPath, path)]).Encode();

    [Test]
    public async Task Openssl_s_client_completes_a_ccm8_only_handshake_with_a_client_certificate()
    {
        string openssl = PeerProcess.Require("openssl", "openssl");
        StartServer();

        var result = await PeerProcess.RunAsync(openssl, SClientArguments("ECDHE-ECDSA-AES128-CCM8", true), TimeSpan.FromSeconds(20), CoapGet("hello"));
        TestContext.Out.WriteLine(result.AllOutput);

        Assert.That(result.AllOutput, Does.Contain("Cipher is ECDHE-ECDSA-AES128-CCM8"));
        Assert.That(result.AllOutput, Does.Contain("Verify return code: 0 (ok)"));
        await WaitUntilAsync(() => !_seenChains.IsEmpty);
        Assert.That(_seenChains.TryDequeue(out var chain), Is.True);
        Assert.That(chain![0], Is.EqualTo(_pki.Client.RawData), "the handler sees the client's certificate");
    }

    [Test]
    public async Task Server_preference_picks_ccm8_when_the_client_prefers_gcm()
    {
        string openssl = PeerProcess.Require("openssl", "openssl");
        StartServer();

        var result = await PeerProcess.RunAsync(openssl,
            SClientArguments("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-CCM8", true), TimeSpan.FromSeconds(20), []);

        Assert.That(result.AllOutput, Does.Contain("Cipher is ECDHE-ECDSA-AES128-CCM8"), result.AllOutput);
    }

    [Test]
    public async Task A_client_without_a_certificate_is_refused()
    {
        string openssl = PeerProcess.Require("openssl", "openssl");
        StartServer();

        var result = await PeerProcess.RunAsync(openssl, SClientArguments("ECDHE-ECDSA-AES128-CCM8", false), TimeSpan.FromSeconds(20), CoapGet("hello"));
        TestContext.Out.WriteLine(result.AllOutput);

        // In DTLS 1.2 the client has sent its whole flight when the server's alert arrives, so s_client may
        // print a cipher; what matters is the alert and that no request got through.
        Assert.That(result.AllOutput, Does.Contain("alert"));
        Assert.That(_seenChains, Is.Empty);
        await WaitUntilAsync(() => _transport.SessionCount == 0);
    }

    [Test]
    public async Task A_client_the_validator_refuses_gets_no_session()
    {
        string openssl = PeerProcess.Require("openssl", "openssl");
        StartServer();
        _validator = _ => false;

        var result = await PeerProcess.RunAsync(openssl, SClientArguments("ECDHE-ECDSA-AES128-CCM8", true), TimeSpan.FromSeconds(20), CoapGet("hello"));
        TestContext.Out.WriteLine(result.AllOutput);

        // In DTLS 1.2 the client has sent its whole flight when the server's alert arrives, so s_client may
        // print a cipher; what matters is the alert and that no request got through.
        Assert.That(result.AllOutput, Does.Contain("alert"));
        Assert.That(_seenChains, Is.Empty);
        await WaitUntilAsync(() => _transport.SessionCount == 0);
    }

    [Test]
    public async Task Coap_client_gets_over_coaps_with_its_certificate()
    {
        string coapClient = PeerProcess.Require("coap-client-openssl", "libcoap3-bin");
        StartServer();

        var result = await CoapClientAsync(coapClient, "-m", "get", Uri("/hello"));

        Assert.That(result.StandardOutput, Does.Contain("hello "), "libcoap sends its certificate and the CA given with -C");
        Assert.That(_seenChains.TryDequeue(out var chain) ? chain![0] : null, Is.EqualTo(_pki.Client.RawData));
        Assert.That(_ciphers, Is.EqualTo(new[] { "ECDHE-ECDSA-AES128-CCM8" }), "server preference gives libcoap CCM_8 (RFC 7925)");
    }

    [Test]
    public async Task Coap_client_discovers_and_posts_block_wise_over_coaps()
    {
        string coapClient = PeerProcess.Require("coap-client-openssl", "libcoap3-bin");
        StartServer();
        string input = Path.Combine(_pki.Directory, "body.bin");
        await File.WriteAllBytesAsync(input, new byte[700]);

        var discovery = await CoapClientAsync(coapClient, "-m", "get", Uri("/.well-known/core?rt=ace.est*"));
        var post = await CoapClientAsync(coapClient, "-m", "post", "-t", "42", "-b", "64", "-f", input, Uri("/upload"));
        string output = Path.Combine(_pki.Directory, "big.out");
        await CoapClientAsync(coapClient, "-m", "get", "-o", output, Uri("/big"));

        Assert.That(discovery.StandardOutput, Does.Contain("</hello>;rt=\"ace.est.crts\""));
        Assert.That(post.StandardOutput, Does.Contain("got 700 bytes"));
        Assert.That(new FileInfo(output).Length, Is.EqualTo(5000));
    }

    [Test]
    public async Task Coap_client_with_an_unknown_certificate_is_refused()
    {
        string coapClient = PeerProcess.Require("coap-client-openssl", "libcoap3-bin");
        StartServer();
        var (stranger, strangerKey) = _pki.Issue("CN=stranger", serverAuth: false, selfSigned: true);
        string certificatePath = Path.Combine(_pki.Directory, "stranger.pem");
        string keyPath = Path.Combine(_pki.Directory, "stranger.key");
        TestCertificates.WritePem(stranger, strangerKey, certificatePath, keyPath);

        var result = await PeerProcess.RunAsync(coapClient,
            ["-B", "5", "-m", "get", "-c", certificatePath, "-j", keyPath, "-C", _pki.CaPemPath, Uri("/hello")], TimeSpan.FromSeconds(30));
        TestContext.Out.WriteLine(result.AllOutput);

        Assert.That(result.StandardOutput, Does.Not.Contain("hello"));
        Assert.That(_seenChains, Is.Empty);
    }

    private string Uri(string pathAndQuery) => $"coaps://127.0.0.1:{_transport.LocalEndPoint.Port}{pathAndQuery}";

    private async Task<PeerProcess.Result> CoapClientAsync(string coapClient, params string[] arguments)
    {
        var result = await PeerProcess.RunAsync(coapClient,
            ["-B", "10", "-c", _pki.ClientCertPath, "-j", _pki.ClientKeyPath, "-C", _pki.CaPemPath, .. arguments], TimeSpan.FromSeconds(30));
        TestContext.Out.WriteLine($"coap-client {string.Join(' ', arguments)}\n--- stdout:\n{result.StandardOutput}\n--- stderr:\n{result.StandardError}");
        return result;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
