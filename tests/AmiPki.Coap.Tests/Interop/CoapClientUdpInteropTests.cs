using System.Security.Cryptography;
using System.Text;
using AmiPki.Coap.Messages;
using AmiPki.Coap.Server;
using AmiPki.Coap.Tests.Support;
using AmiPki.Coap.Transport;
using NUnit.Framework;

namespace AmiPki.Coap.Tests.Interop;

/// <summary>
/// libcoap's coap-client-openssl against CoapServer over plain UDP on 127.0.0.1. coap-client exits 0 even
/// on errors, so every test reads its output.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class CoapClientUdpInteropTests
{
    private static readonly byte[] BigBody = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 300).Select(i => $"line{i:D5}\n")));

    private string _coapClient = null!;
    private UdpDatagramTransport _transport = null!;
    private CoapServer _server = null!;
    private string _workDirectory = null!;
    private byte[]? _lastPostBody;
    private int _postCalls;

    [SetUp]
    public void SetUp()
    {
        _postCalls = 0;
        _lastPostBody = null;
        _coapClient = PeerProcess.Require("coap-client-openssl", "libcoap3-bin");
        _workDirectory = Directory.CreateTempSubdirectory("amipki-coap-").FullName;
        _transport = new UdpDatagramTransport(FreePort.LoopbackAny());
        _server = new CoapServer(_transport);
        _server.AddResource("/hello", (_, _) => Task.FromResult(CoapResponse.Content("hello from AmiPki"u8.ToArray(), CoapContentFormat.TextPlain)),
            new CoapResourceDescription { ResourceTypes = ["ace.est.crts"], ContentFormats = [281, 287] });
        _server.AddResource("/big", (_, _) => Task.FromResult(CoapResponse.Content(BigBody, CoapContentFormat.TextPlain)),
            new CoapResourceDescription { ResourceTypes = ["big"] });
        _server.AddResource("/upload", (request, _) =>
        {
            Interlocked.Increment(ref _postCalls);
            _lastPostBody = request.Payload.ToArray();
            return Task.FromResult(CoapResponse.Changed(Encoding.ASCII.GetBytes(Convert.ToHexString(SHA256.HashData(request.Payload.Span))), CoapContentFormat.TextPlain));
        }, new CoapResourceDescription { ResourceTypes = ["ace.est.sen"] });
        _server.AddResource("/enroll", (request, _) =>
        {
            Interlocked.Increment(ref _postCalls);
            _lastPostBody = request.Payload.ToArray();
            return Task.FromResult(CoapResponse.Changed(BigBody, CoapContentFormat.OctetStream));
        });
        _server.AddResource("/boom", (_, _) => throw new InvalidOperationException("bug"));
        _server.Start();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _server.DisposeAsync();
        await _transport.DisposeAsync();
        Directory.Delete(_workDirectory, recursive: true);
    }

    private string Uri(string pathAndQuery) => $"coap://127.0.0.1:{_transport.LocalEndPoint.Port}{pathAndQuery}";

    private async Task<PeerProcess.Result> CoapClientAsync(params string[] arguments)
    {
        var result = await PeerProcess.RunAsync(_coapClient, ["-B", "10", .. arguments], TimeSpan.FromSeconds(20));
        TestContext.Out.WriteLine($"coap-client {string.Join(' ', arguments)}\n--- stdout:\n{result.StandardOutput}\n--- stderr:\n{result.StandardError}");
        return result;
    }

    [Test]
    public async Task Get_returns_the_payload()
    {
        var result = await CoapClientAsync("-m", "get", Uri("/hello"));
        Assert.That(result.StandardOutput, Does.Contain("hello from AmiPki"));
    }

    [Test]
    public async Task Discovery_filters_with_a_trailing_star()
    {
        var result = await CoapClientAsync("-m", "get", Uri("/.well-known/core?rt=ace.est*"));
        Assert.That(result.StandardOutput, Does.Contain("</hello>;rt=\"ace.est.crts\";ct=\"281 287\""));
        Assert.That(result.StandardOutput, Does.Contain("</upload>;rt=\"ace.est.sen\""));
        Assert.That(result.StandardOutput, Does.Not.Contain("</big>"));
    }

    [Test]
    public async Task A_large_get_is_fetched_block_by_block()
    {
        string output = Path.Combine(_workDirectory, "big.out");
        var result = await CoapClientAsync("-m", "get", "-b", "64", "-o", output, Uri("/big"));
        Assert.That(File.Exists(output), Is.True, result.AllOutput);
        Assert.That(File.ReadAllBytes(output), Is.EqualTo(BigBody));
    }

    [TestCase(64)]
    [TestCase(1024)]
    public async Task A_block_wise_post_is_reassembled(int blockSize)
    {
        var body = new byte[3000];
        new Random(blockSize).NextBytes(body);
        string input = Path.Combine(_workDirectory, "body.bin");
        await File.WriteAllBytesAsync(input, body);

        var result = await CoapClientAsync("-m", "post", "-t", "42", "-b", blockSize.ToString(System.Globalization.CultureInfo.InvariantCulture), "-f", input, Uri("/upload"));

        Assert.That(result.StandardOutput, Does.Contain(Convert.ToHexString(SHA256.HashData(body))));
        Assert.That(_lastPostBody, Is.EqualTo(body));
        Assert.That(_postCalls, Is.EqualTo(1));
    }

    [TestCase(64)]
    [TestCase(1024)]
    public async Task A_block_wise_post_with_a_large_answer_gets_every_block2_block_from_one_handler_run(int blockSize)
    {
        // The EST-coaps /sen shape (RFC 9148 §5): a CSR in Block1 blocks, a certificate chain back in Block2 blocks.
        var body = new byte[900];
        new Random(7).NextBytes(body);
        string input = Path.Combine(_workDirectory, "csr.der");
        string output = Path.Combine(_workDirectory, "answer.bin");
        await File.WriteAllBytesAsync(input, body);

        var result = await CoapClientAsync("-m", "post", "-t", "286", "-A", "281", "-b", blockSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-f", input, "-o", output, Uri("/enroll"));

        Assert.That(File.Exists(output), Is.True, result.AllOutput);
        Assert.That(File.ReadAllBytes(output), Is.EqualTo(BigBody));
        Assert.That(_lastPostBody, Is.EqualTo(body));
        Assert.That(_postCalls, Is.EqualTo(1), "later Block2 blocks come from the cached answer");
    }

    [Test]
    public async Task Errors_come_back_as_coap_codes()
    {
        var notFound = await CoapClientAsync("-m", "get", Uri("/missing"));
        Assert.That(notFound.AllOutput, Does.Contain("4.04"));
        var failed = await CoapClientAsync("-m", "get", Uri("/boom"));
        Assert.That(failed.AllOutput, Does.Contain("5.00"));
    }
}
