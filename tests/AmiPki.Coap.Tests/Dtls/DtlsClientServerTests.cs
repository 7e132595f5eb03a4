using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Coap.Dtls;
using AmiPki.Coap.Tests.Support;
using NUnit.Framework;

namespace AmiPki.Coap.Tests.Dtls;

/// <summary>Our DTLS client against our DTLS server over loopback UDP (the server is also proven against openssl and libcoap).</summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class DtlsClientServerTests
{
    private TestCertificates _pki = null!;
    private DtlsServerTransport? _server;

    [SetUp]
    public void SetUp() => _pki = new TestCertificates();

    [TearDown]
    public async Task TearDown()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }

        _pki.Dispose();
    }

    private DtlsServerTransport StartEchoServer(Func<IReadOnlyList<byte[]>, bool>? validator = null, int maxSessions = 100,
        TimeSpan? idleTimeout = null, int mtu = 1280, int? workerCount = null)
    {
        var server = new DtlsServerTransport(FreePort.LoopbackAny(), new DtlsServerOptions
        {
            Credentials = _pki.ServerCredentials,
            ClientCertificateValidator = validator ?? _pki.IsIssuedByTestCa,
            MaxSessions = maxSessions,
            IdleTimeout = idleTimeout ?? TimeSpan.FromMinutes(5),
            Mtu = mtu,
            WorkerCount = workerCount ?? DtlsServerOptions.DefaultWorkerCount,
        });
        server.Start(datagram =>
        {
            // Echo, prefixed with how many certificates the peer presented.
            byte[] reply = [(byte)(datagram.PeerCertificateChain?.Count ?? 0), .. datagram.Data.Span];
            _ = server.SendAsync(datagram.Peer, reply, CancellationToken.None);
        });
        _server = server;
        return server;
    }

    private DtlsClientOptions ClientOptions(DtlsCredentials? credentials = null, Func<IReadOnlyList<byte[]>, bool>? serverCheck = null,
        string? cipherList = null, int mtu = 1280, TimeSpan? handshakeTimeout = null) => new()
    {
        Credentials = credentials ?? _pki.ClientCredentials,
        ServerCertificateValidator = serverCheck ?? _pki.IsIssuedByTestCa,
        CipherList = cipherList ?? DtlsServerOptions.DefaultCipherList,
        Mtu = mtu,
        HandshakeTimeout = handshakeTimeout ?? TimeSpan.FromSeconds(10),
    };

    [Test]
    public async Task Handshakes_with_ccm8_and_echoes_datagrams_with_the_peer_chain()
    {
        var server = StartEchoServer();
        await using var client = await DtlsClient.ConnectAsync(server.LocalEndPoint, ClientOptions(), TestContext.CurrentContext.CancellationToken);

        await client.SendAsync("ping"u8.ToArray(), CancellationToken.None);
        byte[] reply = await client.ReceiveAsync(TestContext.CurrentContext.CancellationToken);

        Assert.That(reply, Is.EqualTo(new byte[] { 1, (byte)'p', (byte)'i', (byte)'n', (byte)'g' }));
        Assert.That(client.CipherName, Is.EqualTo("ECDHE-ECDSA-AES128-CCM8"));
        Assert.That(server.GetCipherName(client.LocalEndPoint), Is.EqualTo("ECDHE-ECDSA-AES128-CCM8"));
        Assert.That(client.ServerCertificateChain![0], Is.EqualTo(_pki.Server.RawData));
    }

    [Test]
    public async Task The_certificate_check_gets_the_decoded_leaf_during_the_handshake_and_the_der_after_it()
    {
        byte[]? leafDuringCheck = null;
        DtlsPeerChain? retained = null;
        var server = StartEchoServer(validator: chain =>
        {
            retained = chain as DtlsPeerChain;
            using var leaf = retained!.CreateLeafCertificate();
            leafDuringCheck = leaf.RawData;
            return _pki.IsIssuedByTestCa(chain);
        });
        await using var client = await DtlsClient.ConnectAsync(server.LocalEndPoint, ClientOptions(), TestContext.CurrentContext.CancellationToken);

        Assert.That(leafDuringCheck, Is.EqualTo(_pki.Client.RawData));
        Assert.That(retained, Is.Not.Null);

        // Once the check has returned the chain no longer refers to OpenSSL's object: the leaf comes from the DER.
        using var afterwards = retained!.CreateLeafCertificate();
        Assert.That(afterwards.RawData, Is.EqualTo(_pki.Client.RawData));
        Assert.That(retained[0], Is.EqualTo(_pki.Client.RawData));
    }

    [TestCase(1)]
    [TestCase(3)]
    public async Task Several_clients_echo_whether_the_receive_thread_or_workers_do_the_dtls_work(int workerCount)
    {
        var server = StartEchoServer(workerCount: workerCount);
        var clients = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            DtlsClient.ConnectAsync(server.LocalEndPoint, ClientOptions(), TestContext.CurrentContext.CancellationToken)));
        try
        {
            foreach (var (client, index) in clients.Select((client, index) => (client, index)))
            {
                await client.SendAsync(new byte[] { (byte)index }, CancellationToken.None);
                Assert.That(await client.ReceiveAsync(TestContext.CurrentContext.CancellationToken), Is.EqualTo(new byte[] { 1, (byte)index }));
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task One_parsed_identity_serves_several_sessions_and_outlives_none_of_them()
    {
        var server = StartEchoServer();
        using var context = new DtlsClientContext(new DtlsClientOptions { ServerCertificateValidator = _pki.IsIssuedByTestCa });
        var identity = new DtlsClientIdentity(_pki.ClientCredentials);
        await using var first = await DtlsClient.ConnectAsync(server.LocalEndPoint, context, identity, TestContext.CurrentContext.CancellationToken);
        await using var second = await DtlsClient.ConnectAsync(server.LocalEndPoint, context, identity, TestContext.CurrentContext.CancellationToken);

        // The sessions hold references of their own: disposing the identity must not pull the key from under them.
        identity.Dispose();
        foreach (var client in new[] { first, second })
        {
            await client.SendAsync("x"u8.ToArray(), CancellationToken.None);
            var echoed = await client.ReceiveAsync(TestContext.CurrentContext.CancellationToken);
            Assert.That(echoed, Is.EqualTo(new byte[] { 1, (byte)'x' }), "the server saw the client certificate");
        }

        Assert.That(() => DtlsClient.ConnectAsync(server.LocalEndPoint, context, identity, CancellationToken.None), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void An_identity_whose_key_does_not_match_its_certificate_is_refused_when_parsed()
    {
        var mismatched = DtlsCredentials.FromDer([_pki.Client.RawData], _pki.ServerKey.ExportPkcs8PrivateKey());
        Assert.That(() => new DtlsClientIdentity(mismatched), Throws.InstanceOf<DtlsException>().With.Message.Contains("does not match"));
    }

    [Test]
    public async Task A_client_offering_only_p256_and_ecdsa_sha256_completes_the_handshake()
    {
        var server = StartEchoServer();
        var options = ClientOptions();
        await using var client = await DtlsClient.ConnectAsync(server.LocalEndPoint, new DtlsClientOptions
        {
            Credentials = options.Credentials,
            ServerCertificateValidator = options.ServerCertificateValidator,
            Groups = "P-256",
            SignatureAlgorithms = "ECDSA+SHA256",
        }, TestContext.CurrentContext.CancellationToken);
        Assert.That(client.CipherName, Is.EqualTo("ECDHE-ECDSA-AES128-CCM8"));
    }

    [Test]
    public async Task A_server_chain_verifying_to_a_trusted_root_is_accepted_and_then_judged_by_the_validator()
    {
        var server = StartEchoServer();
        var judged = 0;
        await using var client = await DtlsClient.ConnectAsync(server.LocalEndPoint, new DtlsClientOptions
        {
            Credentials = _pki.ClientCredentials,
            TrustedRoots = [_pki.Ca.RawData],
            ServerCertificateValidator = _ =>
            {
                Interlocked.Increment(ref judged);
                return true;
            },
        }, TestContext.CurrentContext.CancellationToken);
        Assert.That(judged, Is.EqualTo(1), "the validator still has the last word after the path verified");
        Assert.That(client.ServerCertificateChain![0], Is.EqualTo(_pki.Server.RawData));
    }

    [Test]
    public void A_server_chain_not_verifying_to_a_trusted_root_fails_the_handshake_even_if_the_validator_would_accept()
    {
        var server = StartEchoServer();
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherRequest = new CertificateRequest("CN=Some Other Root", otherKey, HashAlgorithmName.SHA256);
        otherRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var otherRoot = otherRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        Assert.That(async () => await DtlsClient.ConnectAsync(server.LocalEndPoint, new DtlsClientOptions
            {
                Credentials = _pki.ClientCredentials,
                TrustedRoots = [otherRoot.RawData],
                ServerCertificateValidator = _ => true,
                HandshakeTimeout = TimeSpan.FromSeconds(10),
            }, CancellationToken.None),
            Throws.InstanceOf<DtlsException>().With.Message.Contains("does not verify to a trusted root"));
    }

    [Test]
    public void An_unknown_group_is_a_configuration_error()
    {
        Assert.That(() => new DtlsClientContext(new DtlsClientOptions { ServerCertificateValidator = _ => true, Groups = "no-such-group" }),
            Throws.InstanceOf<DtlsException>().With.Message.Contains("no-such-group"));
    }

    [Test]
    public async Task Gcm_is_negotiated_when_the_client_offers_only_gcm()
    {
        var server = StartEchoServer();
        await using var client = await DtlsClient.ConnectAsync(server.LocalEndPoint,
            ClientOptions(cipherList: "ECDHE-ECDSA-AES128-GCM-SHA256"), CancellationToken.None);
        Assert.That(client.CipherName, Is.EqualTo("ECDHE-ECDSA-AES128-GCM-SHA256"));
    }

    [Test]
    public async Task A_small_mtu_fragments_the_handshake_and_still_completes()
    {
        var server = StartEchoServer(mtu: 400);
        await using var client = await DtlsClient.ConnectAsync(server.LocalEndPoint, ClientOptions(mtu: 400), CancellationToken.None);
        await client.SendAsync(new byte[300], CancellationToken.None);
        Assert.That(await client.ReceiveAsync(TestContext.CurrentContext.CancellationToken), Has.Length.EqualTo(301));
    }

    [Test]
    public void A_refused_client_certificate_fails_the_handshake()
    {
        var server = StartEchoServer(validator: _ => false);
        Assert.That(async () => await DtlsClient.ConnectAsync(server.LocalEndPoint, ClientOptions(), TestContext.CurrentContext.CancellationToken),
            Throws.InstanceOf<DtlsException>());
        Assert.That(server.SessionCount, Is.Zero);
    }

    [Test]
    public void A_client_refusing_the_server_certificate_fails_the_handshake()
    {
        var server = StartEchoServer();
        Assert.That(async () => await DtlsClient.ConnectAsync(server.LocalEndPoint, ClientOptions(serverCheck: _ => false), CancellationToken.None),
            Throws.InstanceOf<DtlsException>());
    }

    [Test]
    public void A_client_without_a_certificate_is_refused()
    {
        var server = StartEchoServer();
        var options = new DtlsClientOptions { ServerCertificateValidator = _pki.IsIssuedByTestCa, HandshakeTimeout = TimeSpan.FromSeconds(10) };
        Assert.That(async () => await DtlsClient.ConnectAsync(server.LocalEndPoint, options, CancellationToken.None),
            Throws.InstanceOf<DtlsException>());
    }

    [Test]
    public async Task The_session_cap_refuses_new_peers_but_keeps_existing_ones()
    {
        var server = StartEchoServer(maxSessions: 1);
        await using var first = await DtlsClient.ConnectAsync(server.LocalEndPoint, ClientOptions(), TestContext.CurrentContext.CancellationToken);

        Assert.That(async () => await DtlsClient.ConnectAsync(server.LocalEndPoint, ClientOptions(handshakeTimeout: TimeSpan.FromSeconds(2)), CancellationToken.None),
            Throws.InstanceOf<TimeoutException>());
        Assert.That(server.RefusedHandshakeCount, Is.GreaterThan(0));

        await first.SendAsync("still here"u8.ToArray(), CancellationToken.None);
        Assert.That(await first.ReceiveAsync(TestContext.CurrentContext.CancellationToken), Has.Length.EqualTo(11));
    }

    [Test]
    public async Task Idle_sessions_are_closed_and_forgotten()
    {
        var server = StartEchoServer(idleTimeout: TimeSpan.FromMilliseconds(300));
        await using var client = await DtlsClient.ConnectAsync(server.LocalEndPoint, ClientOptions(), TestContext.CurrentContext.CancellationToken);
        Assert.That(server.SessionCount, Is.EqualTo(1));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (server.SessionCount > 0)
        {
            await Task.Delay(50, timeout.Token);
        }

        // The server's close_notify reached the client.
        while (!client.IsClosed)
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    [Test]
    public async Task A_new_handshake_from_a_known_address_replaces_its_session()
    {
        var server = StartEchoServer();
        await using var first = await DtlsClient.ConnectAsync(server.LocalEndPoint, ClientOptions(), TestContext.CurrentContext.CancellationToken);
        await using var second = await DtlsClient.ConnectAsync(server.LocalEndPoint, ClientOptions(), TestContext.CurrentContext.CancellationToken);
        Assert.That(server.SessionCount, Is.EqualTo(2));
    }

    [Test]
    public async Task A_client_hello_without_cookie_gets_a_small_hello_verify_request_and_allocates_nothing()
    {
        var server = StartEchoServer();
        byte[] clientHello = FirstClientHello();
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await udp.SendToAsync(clientHello, SocketFlags.None, server.LocalEndPoint);

        var buffer = new byte[2048];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var received = await udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), timeout.Token);

        Assert.That(buffer[0], Is.EqualTo(22), "handshake record");
        Assert.That(buffer[13], Is.EqualTo(3), "HelloVerifyRequest (RFC 6347 §4.2.1)");
        Assert.That(received.ReceivedBytes, Is.LessThanOrEqualTo(clientHello.Length), "no amplification");
        Assert.That(server.SessionCount, Is.Zero, "nothing kept for an unverified address");

        // Garbage from unknown peers is ignored without an answer.
        await udp.SendToAsync(new byte[] { 23, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0 }, SocketFlags.None, server.LocalEndPoint);
        using var silence = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Assert.That(async () => await udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), silence.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Lost_flights_in_both_directions_are_retransmitted()
    {
        // To the server: 0 ClientHello, 1 ClientHello with cookie, 2 the client's last flight. To the client:
        // 0 HelloVerifyRequest, 1 the first datagram of the server's flight.
        var server = StartEchoServer();
        await using var proxy = new LossyUdpProxy(server.LocalEndPoint, dropToServer: [2], dropToClient: [1]);

        await using var client = await DtlsClient.ConnectAsync(proxy.LocalEndPoint, ClientOptions(), TestContext.CurrentContext.CancellationToken);
        await client.SendAsync("after loss"u8.ToArray(), TestContext.CurrentContext.CancellationToken);

        Assert.That(await client.ReceiveAsync(TestContext.CurrentContext.CancellationToken), Has.Length.EqualTo(11));
        Assert.That(proxy.Dropped, Is.EqualTo(2));
    }

    [Test]
    public async Task Many_concurrent_handshakes_complete()
    {
        var server = StartEchoServer();
        var clients = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            DtlsClient.ConnectAsync(server.LocalEndPoint, ClientOptions(), TestContext.CurrentContext.CancellationToken)));
        try
        {
            foreach (var client in clients)
            {
                await client.SendAsync("x"u8.ToArray(), CancellationToken.None);
                Assert.That(await client.ReceiveAsync(TestContext.CurrentContext.CancellationToken), Has.Length.EqualTo(2));
            }

            Assert.That(server.SessionCount, Is.EqualTo(20));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private byte[] FirstClientHello()
    {
        using var context = DtlsContext.CreateClient(null, DtlsServerOptions.DefaultCipherList);
        var ssl = DtlsSession.CreateSsl(context);
        OpenSslNative.SSL_set_connect_state(ssl.Ssl);
        using var session = new DtlsSession(ssl.Ssl, ssl.ReadBio, ssl.WriteBio, new IPEndPoint(IPAddress.Loopback, 1), 1280, DateTimeOffset.UtcNow);
        var outgoing = new List<byte[]>();
        session.Advance(outgoing);
        return outgoing.Single();
    }
}
